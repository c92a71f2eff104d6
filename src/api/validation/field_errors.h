#pragma once
// The building blocks of every validator in this room: field paths printed as
// upstream's field.Path, field errors with upstream's wording, Go's rendering of
// bad values, and tolerant readers of JSON objects (the strict type walk ran
// before validation, so a wrong type here is simply treated as absent).

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace kcpp::api::validation {

namespace json = boost::json;
using Causes = std::vector<Cause>;

// field.Path: "spec.containers[0].ports[1].name", "metadata.labels[app]".
class Path {
 public:
  Path() = default;
  explicit Path(std::string text) : text_(std::move(text)) {}
  Path child(std::string_view name) const;
  Path index(std::size_t i) const;
  Path key(std::string_view k) const;
  const std::string& str() const { return text_; }

 private:
  std::string text_;
};

// Upstream's messages shared by many validators.
inline constexpr std::string_view kNegativeMsg = "must be greater than or equal to 0";
inline constexpr std::string_view kImmutableMsg = "field is immutable";
std::string inclusiveRangeError(std::int64_t lo, std::int64_t hi);

// Field errors (field.Required, field.Invalid, ...). `rendered` is the bad value
// as Go prints it; the *Str/*Int forms render it.
Cause required(const Path& p, std::string_view detail = "");
Cause forbidden(const Path& p, std::string_view detail);
Cause invalidValue(const Path& p, const std::string& rendered, std::string_view detail);
Cause invalidStr(const Path& p, std::string_view value, std::string_view detail);
Cause invalidInt(const Path& p, std::int64_t value, std::string_view detail);
Cause duplicateStr(const Path& p, std::string_view value);
Cause notFoundStr(const Path& p, std::string_view value);
Cause notSupported(const Path& p, const std::string& rendered, const std::vector<std::string>& supported);
Cause notSupportedStr(const Path& p, std::string_view value,
                      const std::vector<std::string>& supported);
Cause tooLong(const Path& p, std::int64_t maxBytes);
Cause tooMany(const Path& p, std::int64_t actual, std::int64_t max);

void append(Causes& into, Causes more);

// Go's rendering of values inside messages.
std::string goQuote(std::string_view s);                     // %q
std::string goStringMap(const json::value* map);             // map[string]string{"a":"b"}
std::string goStringSlice(const json::value* list);          // []string{"a", "b"}
std::string goLabelSelector(const json::value* selector);    // v1.LabelSelector{...}
std::string goIntOrString(const json::value& v);             // intstr.IntOrString{...}
// A value without a faithful Go rendering (a whole struct): its compact JSON.
std::string renderJson(const json::value* v);

// Tolerant readers.
const json::object* objectAt(const json::object& o, std::string_view key);
const json::array* arrayAt(const json::object& o, std::string_view key);
const json::value* valueAt(const json::object& o, std::string_view key);  // null → nullptr
std::string_view stringAt(const json::object& o, std::string_view key);
std::optional<std::string> optionalString(const json::object& o, std::string_view key);
std::optional<std::int64_t> intAt(const json::object& o, std::string_view key);
bool boolAt(const json::object& o, std::string_view key);
bool has(const json::object& o, std::string_view key);  // present and not null
// The string items of a list of strings.
std::vector<std::string> strings(const json::array* list);
// Deep equality where an absent field equals null, {} and [] (Go's zero values
// after decoding: "semantic" equality of omitempty fields).
bool semanticEqual(const json::value* a, const json::value* b);

}  // namespace kcpp::api::validation
