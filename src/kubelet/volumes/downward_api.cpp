#include "kubelet/volumes/downward_api.h"

#include <cstdio>

#include "api/meta/object.h"

namespace kcpp::kubelet::volumes {

namespace json = boost::json;
using api::validation::Quantity;

namespace {

// Go's strconv.Quote for the ASCII range; other bytes (UTF-8) pass unchanged.
std::string goQuote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\v': out += "\\v"; break;
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

std::map<std::string, std::string> stringMap(const json::object& pod, std::string_view path) {
  std::map<std::string, std::string> out;
  const json::value* v = api::findPath(pod, path);
  if (!v || !v->is_object()) return out;
  for (const auto& [k, val] : v->as_object()) {
    if (val.is_string()) out.emplace(std::string(k), std::string(val.as_string()));
  }
  return out;
}

std::string stringAt(const json::object& pod, std::string_view path) {
  const json::value* v = api::findPath(pod, path);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// "metadata.labels['app']" → ("metadata.labels", "app").
bool splitSubscript(const std::string& fieldPath, std::string& path, std::string& key) {
  auto open = fieldPath.find("['");
  if (open == std::string::npos || fieldPath.size() < open + 4 ||
      fieldPath.compare(fieldPath.size() - 2, 2, "']") != 0) {
    return false;
  }
  path = fieldPath.substr(0, open);
  key = fieldPath.substr(open + 2, fieldPath.size() - open - 4);
  return true;
}

const json::object* findContainer(const json::object& pod, const std::string& name) {
  for (const char* list : {"spec.containers", "spec.initContainers"}) {
    const json::value* v = api::findPath(pod, list);
    if (!v || !v->is_array()) continue;
    for (const auto& c : v->as_array()) {
      if (c.is_object() && api::getString(c.as_object(), "name") == name) return &c.as_object();
    }
  }
  return nullptr;
}

std::optional<Quantity> containerQuantity(const json::object& container, const std::string& kind,
                                          const std::string& resource) {
  const json::value* v = api::findPath(container, "resources." + kind + "." + resource);
  if (!v) return std::nullopt;
  return Quantity::fromJson(*v);
}

std::int64_t ceilDiv(std::int64_t a, std::int64_t b) {
  if (b <= 0) return 0;
  return a / b + ((a % b != 0 && a > 0) ? 1 : 0);
}

}  // namespace

std::string formatMap(const std::map<std::string, std::string>& m) {
  std::string out;
  for (const auto& [k, v] : m) out += k + "=" + goQuote(v) + "\n";
  if (!out.empty()) out.pop_back();
  return out;
}

Result<std::string> podFieldValue(const json::object& pod, const std::string& fieldPath) {
  std::string path, key;
  if (splitSubscript(fieldPath, path, key)) {
    if (path == "metadata.labels" || path == "metadata.annotations") {
      auto m = stringMap(pod, path);
      auto found = m.find(key);
      return found == m.end() ? std::string() : found->second;
    }
    return makeError(Reason::InternalError, "unsupported fieldPath: " + fieldPath);
  }
  if (fieldPath == "metadata.labels" || fieldPath == "metadata.annotations") {
    return formatMap(stringMap(pod, fieldPath));
  }
  if (fieldPath == "metadata.name" || fieldPath == "metadata.namespace" ||
      fieldPath == "metadata.uid" || fieldPath == "spec.nodeName" ||
      fieldPath == "spec.serviceAccountName" || fieldPath == "status.podIP" ||
      fieldPath == "status.hostIP") {
    return stringAt(pod, fieldPath);
  }
  return makeError(Reason::InternalError, "unsupported fieldPath: " + fieldPath);
}

Result<std::string> containerResourceValue(const json::object& pod, const json::object& ref,
                                           const std::string& container,
                                           const ResourceList& nodeAllocatable) {
  std::string name(api::getString(ref, "containerName"));
  if (name.empty()) name = container;
  std::string resource(api::getString(ref, "resource"));
  const json::object* c = findContainer(pod, name);
  if (!c) return makeError(Reason::InternalError, "container " + name + " not found");
  Quantity divisor = Quantity::fromInt(1);
  if (const json::value* d = ref.if_contains("divisor")) {
    if (auto q = Quantity::fromJson(*d); q && !q->isZero()) divisor = *q;
  }
  auto dot = resource.find('.');
  std::string kind = dot == std::string::npos ? "" : resource.substr(0, dot);
  std::string what = dot == std::string::npos ? "" : resource.substr(dot + 1);
  bool known = (kind == "limits" || kind == "requests") &&
               (what == "cpu" || what == "memory" || what == "ephemeral-storage");
  if (!known) return makeError(Reason::InternalError, "unsupported container resource : " + resource);
  std::optional<Quantity> value = containerQuantity(*c, kind, what);
  if (!value && kind == "limits") {
    auto alloc = nodeAllocatable.find(what);
    if (alloc != nodeAllocatable.end()) value = alloc->second;
  }
  Quantity q = value.value_or(Quantity::fromInt(0));
  if (what == "cpu") return std::to_string(ceilDiv(q.milliValue(), divisor.milliValue()));
  return std::to_string(ceilDiv(q.value(), divisor.value()));
}

}  // namespace kcpp::kubelet::volumes
