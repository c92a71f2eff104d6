#pragma once
// The apimachinery types that travel as small messages but have their own JSON
// form. Each takes the message payload and returns the JSON value Go would write.

#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "util/error.h"

namespace kcpp::protobuf {

// metav1.Time {seconds = 1, nanos = 2}: RFC 3339 in UTC with second precision;
// the zero time (empty message) is null.
Result<boost::json::value> timeJson(std::string_view payload);
// metav1.MicroTime: as Time, with six fractional digits.
Result<boost::json::value> microTimeJson(std::string_view payload);
// metav1.Duration {duration = 1 (nanoseconds)}: Go's time.Duration.String().
Result<boost::json::value> durationJson(std::string_view payload);
// resource.Quantity {string = 1}: the string; the zero Quantity is "0".
Result<boost::json::value> quantityJson(std::string_view payload);
// intstr.IntOrString {type = 1, intVal = 2, strVal = 3}: a number or a string.
Result<boost::json::value> intOrStringJson(std::string_view payload);
// A named []string wrapped as {items = 1}: an array, or null when empty.
Result<boost::json::value> stringListJson(std::string_view payload);
// runtime.RawExtension / metav1.FieldsV1 {raw = 1}: the raw bytes (empty if absent).
Result<std::string_view> rawBytes(std::string_view payload);

// time.Duration.String(): "1h2m3.5s", "1.5ms", "0s".
std::string goDuration(std::int64_t nanoseconds);
// "2006-01-02T15:04:05Z", with `fractionDigits` digits of `nanos` when non-zero;
// BadRequest when the year is outside [0, 9999], as Go's encoder refuses.
Result<std::string> rfc3339(std::int64_t seconds, std::int32_t nanos, int fractionDigits);

}  // namespace kcpp::protobuf
