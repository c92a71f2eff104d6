#pragma once
// Small JSON field helpers shared by the defaulting rules of this room (internal).

#include <boost/json.hpp>

#include <string_view>

namespace kcpp::api::defaults {

namespace json = boost::json;

// Absent, or null: what a Go pointer field decodes to nil from.
inline bool isUnset(const json::object& obj, std::string_view key) {
  auto it = obj.find(key);
  return it == obj.end() || it->value().is_null();
}

// Unset, or the empty string: Go's zero value of a non-pointer string field, which
// upstream's defaulting treats as unset.
inline bool isUnsetString(const json::object& obj, std::string_view key) {
  auto it = obj.find(key);
  return it == obj.end() || it->value().is_null() ||
         (it->value().is_string() && it->value().get_string().empty());
}

// An unset field or an empty object, array or string: what Go's len() == 0 sees.
inline bool isEmpty(const json::object& obj, std::string_view key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->value().is_null()) return true;
  const json::value& v = it->value();
  if (v.is_object()) return v.get_object().empty();
  if (v.is_array()) return v.get_array().empty();
  if (v.is_string()) return v.get_string().empty();
  return false;
}

inline void setIfUnset(json::object& obj, std::string_view key, json::value value) {
  if (isUnset(obj, key)) obj[key] = std::move(value);
}

// obj[key] as an object if it is one (null otherwise; nothing is created).
inline json::object* objectAt(json::object& obj, std::string_view key) {
  auto it = obj.find(key);
  return it != obj.end() && it->value().is_object() ? &it->value().get_object() : nullptr;
}

inline json::array* arrayAt(json::object& obj, std::string_view key) {
  auto it = obj.find(key);
  return it != obj.end() && it->value().is_array() ? &it->value().get_array() : nullptr;
}

// obj[key] as an object, created when unset; null when it holds something else
// (a wrong type is left for validation to report).
inline json::object* ensureObjectAt(json::object& obj, std::string_view key) {
  if (isUnset(obj, key)) obj[key] = json::object();
  return objectAt(obj, key);
}

// Calls fn(element) for each object element of obj[key] when that is an array.
template <typename Fn>
void forEachObjectIn(json::object& obj, std::string_view key, Fn&& fn) {
  json::array* items = arrayAt(obj, key);
  if (!items) return;
  for (json::value& item : *items) {
    if (item.is_object()) fn(item.get_object());
  }
}

}  // namespace kcpp::api::defaults
