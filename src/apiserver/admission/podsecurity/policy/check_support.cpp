#include "apiserver/admission/podsecurity/policy/check_support.h"

#include <cstdio>

namespace kcpp::apiserver::admission::podsecurity::detail {

namespace {

const json::value* member(const json::object* obj, std::string_view key) {
  if (!obj) return nullptr;
  auto it = obj->find(key);
  return it == obj->end() ? nullptr : &it->value();
}

}  // namespace

const json::object* objectAt(const json::object* obj, std::string_view key) {
  const json::value* v = member(obj, key);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

const json::array* arrayAt(const json::object* obj, std::string_view key) {
  const json::value* v = member(obj, key);
  return v && v->is_array() ? &v->get_array() : nullptr;
}

std::string_view stringAt(const json::object* obj, std::string_view key) {
  const json::value* v = member(obj, key);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

std::optional<bool> boolAt(const json::object* obj, std::string_view key) {
  const json::value* v = member(obj, key);
  if (!v || !v->is_bool()) return std::nullopt;
  return v->get_bool();
}

std::optional<std::int64_t> intAt(const json::object* obj, std::string_view key) {
  const json::value* v = member(obj, key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  if (v->is_double()) return static_cast<std::int64_t>(v->get_double());
  return std::nullopt;
}

bool isTrue(const json::object* obj, std::string_view key) {
  return boolAt(obj, key).value_or(false);
}

bool has(const json::object* obj, std::string_view key) {
  const json::value* v = member(obj, key);
  return v && !v->is_null();
}

std::string_view containerName(const json::object& container) {
  return stringAt(&container, "name");
}

const json::object* securityContext(const json::object& container) {
  return objectAt(&container, "securityContext");
}

const json::object* podSecurityContext(const json::object& spec) {
  return objectAt(&spec, "securityContext");
}

bool isWindowsPod(const json::object& spec) {
  return stringAt(objectAt(&spec, "os"), "name") == "windows";
}

void visitContainers(const json::object& spec,
                     const std::function<void(const json::object& container)>& visit) {
  for (const char* list : {"initContainers", "containers", "ephemeralContainers"}) {
    const json::array* containers = arrayAt(&spec, list);
    if (!containers) continue;
    for (const json::value& c : *containers) {
      if (c.is_object()) visit(c.get_object());
    }
  }
}

std::string_view pluralize(std::string_view singular, std::string_view plural, std::size_t count) {
  return count == 1 ? singular : plural;
}

std::string joinQuote(const std::vector<std::string>& items) {
  if (items.empty()) return "";
  return "\"" + join(items, "\", \"") + "\"";
}

std::string joinQuote(const std::set<std::string>& items) {
  return joinQuote(std::vector<std::string>(items.begin(), items.end()));
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += separator;
    out += items[i];
  }
  return out;
}

std::string goQuote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string containersPhrase(const std::vector<std::string>& names) {
  return std::string(pluralize("container", "containers", names.size())) + " " + joinQuote(names);
}

}  // namespace kcpp::apiserver::admission::podsecurity::detail
