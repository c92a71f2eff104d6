#include "kubelet/kuberuntime/container_hash.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace kcpp::kubelet::kuberuntime {

namespace json = boost::json;

namespace {

// The same document with object keys sorted at every level.
void writeCanonical(const json::value& v, std::string& out) {
  if (v.is_object()) {
    std::vector<std::pair<std::string_view, const json::value*>> fields;
    for (const auto& kv : v.get_object()) fields.emplace_back(kv.key(), &kv.value());
    std::sort(fields.begin(), fields.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    out += '{';
    bool first = true;
    for (const auto& [key, value] : fields) {
      if (!first) out += ',';
      first = false;
      out += json::serialize(json::value(key));
      out += ':';
      writeCanonical(*value, out);
    }
    out += '}';
  } else if (v.is_array()) {
    out += '[';
    bool first = true;
    for (const auto& e : v.get_array()) {
      if (!first) out += ',';
      first = false;
      writeCanonical(e, out);
    }
    out += ']';
  } else {
    out += json::serialize(v);
  }
}

}  // namespace

std::string containerHash(const json::object& container) {
  std::string text;
  writeCanonical(json::value(container), text);
  std::uint32_t hash = 2166136261u;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 16777619u;
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "%x", hash);
  return buf;
}

}  // namespace kcpp::kubelet::kuberuntime
