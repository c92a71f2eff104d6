#pragma once
// Field error causes as upstream's field.Error renders them in v1.33, with bad
// values printed the way Go's fmt does ("%q" strings, "%#v" slices and structs).
// Internal to the services room.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/meta/status.h"
#include "util/error.h"

namespace kcpp::apiserver::service {

// Go's %q of a string.
std::string goQuote(std::string_view s);
// Go's %#v of a []string: []string{"a", "b"}, or []string(nil) when empty.
std::string goStringSlice(const std::vector<std::string>& values);

// "Invalid value: <rendered>: <detail>".
Cause invalidValue(std::string field, std::string rendered, const std::string& detail);
// "Unsupported value: <rendered>: supported values: "a", "b"".
Cause notSupported(std::string field, std::string rendered,
                   const std::vector<std::string>& supported);
// "Duplicate value: <rendered>".
Cause duplicateValue(std::string field, std::string rendered);

inline Cause invalidString(std::string field, std::string_view value, const std::string& detail) {
  return invalidValue(std::move(field), goQuote(value), detail);
}
inline Cause invalidInt(std::string field, std::int64_t value, const std::string& detail) {
  return invalidValue(std::move(field), std::to_string(value), detail);
}

}  // namespace kcpp::apiserver::service
