#pragma once
// Helpers for objects as JSON (DESIGN.md §4: objects are boost::json documents).
// Field access is by name on purpose: the schema, not C++ structs, defines types.

#include <boost/json.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "util/error.h"

namespace kcpp::api {

namespace json = boost::json;

// The object at obj[key], created empty if absent (or replaced if not an object).
json::object& ensureObject(json::object& obj, std::string_view key);
// obj[key] if it is an object, else nullptr.
const json::object* findObject(const json::object& obj, std::string_view key);
json::object* findObject(json::object& obj, std::string_view key);
// obj[key] if it is a string, else empty.
std::string_view getString(const json::object& obj, std::string_view key);
// Follows a dotted path ("spec.nodeName") through nested objects.
const json::value* findPath(const json::object& obj, std::string_view dottedPath);

// metadata accessors; all tolerate a missing metadata.
std::string_view metaName(const json::object& obj);
std::string_view metaNamespace(const json::object& obj);
std::string_view metaResourceVersion(const json::object& obj);
std::map<std::string, std::string> metaLabels(const json::object& obj);

// RFC 3339 with second precision in UTC, as metav1.Time encodes ("2024-01-02T03:04:05Z").
std::string formatTime(std::chrono::system_clock::time_point t);
std::optional<std::chrono::system_clock::time_point> parseTime(std::string_view rfc3339);
std::string nowTime();

// A random (v4) UUID, as upstream's object uids.
std::string newUid();
// generateName's suffix: 5 characters from upstream's alphabet (no vowels).
std::string randomNameSuffix();

// Parses a JSON document; BadRequest with a decoder-style message on error.
Result<json::value> parseJson(std::string_view text);

}  // namespace kcpp::api
