#include "apiserver/registry/services/service_fields.h"

namespace kcpp::apiserver::service {

namespace {

const json::value* member(const json::object& obj, std::string_view key) {
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &it->value();
}

const json::object& emptyObject() {
  static const json::object kEmpty;
  return kEmpty;
}

}  // namespace

bool isInt(const json::value* v) { return v && (v->is_int64() || v->is_uint64()); }

std::string_view stringOf(const json::object& obj, std::string_view key) {
  const json::value* v = member(obj, key);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

std::int64_t intOf(const json::object& obj, std::string_view key) {
  const json::value* v = member(obj, key);
  if (!v) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  return 0;
}

std::vector<std::string> stringsOf(const json::object& obj, std::string_view key) {
  std::vector<std::string> out;
  const json::value* v = member(obj, key);
  if (!v || !v->is_array()) return out;
  for (const auto& item : v->get_array()) {
    out.emplace_back(item.is_string() ? std::string_view(item.get_string()) : std::string_view());
  }
  return out;
}

const json::object& specOf(const json::object& svc) {
  const json::value* spec = member(svc, "spec");
  return spec && spec->is_object() ? spec->get_object() : emptyObject();
}

json::object& specOf(json::object& svc) {
  json::value& spec = svc["spec"];
  if (!spec.is_object()) spec = json::object();
  return spec.get_object();
}

std::vector<const json::object*> portsOf(const json::object& svc) {
  std::vector<const json::object*> out;
  const json::value* ports = member(specOf(svc), "ports");
  if (!ports || !ports->is_array()) return out;
  for (const auto& p : ports->get_array())
    out.push_back(p.is_object() ? &p.get_object() : &emptyObject());
  return out;
}

std::vector<json::object*> portsOf(json::object& svc) {
  std::vector<json::object*> out;
  json::object& spec = specOf(svc);
  auto it = spec.find("ports");
  if (it == spec.end() || !it->value().is_array()) return out;
  for (auto& p : it->value().get_array()) {
    if (!p.is_object()) p = json::object();
    out.push_back(&p.get_object());
  }
  return out;
}

std::string_view typeOf(const json::object& svc) { return stringOf(specOf(svc), "type"); }

std::vector<std::string> clusterIPsOf(const json::object& svc) {
  return stringsOf(specOf(svc), "clusterIPs");
}

bool isHeadless(const json::object& svc) {
  auto ips = clusterIPsOf(svc);
  return ips.size() == 1 && ips[0] == kNone;
}

bool needsClusterIP(const json::object& svc) { return typeOf(svc) != kExternalName; }

bool needsNodePort(const json::object& svc) {
  return typeOf(svc) == kNodePort || typeOf(svc) == kLoadBalancer;
}

bool needsHealthCheckNodePort(const json::object& svc) {
  return typeOf(svc) == kLoadBalancer && stringOf(specOf(svc), "externalTrafficPolicy") == "Local";
}

bool externallyAccessible(const json::object& svc) {
  if (needsNodePort(svc)) return true;
  return typeOf(svc) == kClusterIP && !stringsOf(specOf(svc), "externalIPs").empty();
}

bool shouldAllocateNodePorts(const json::object& svc) {
  if (typeOf(svc) == kNodePort) return true;
  if (typeOf(svc) != kLoadBalancer) return false;
  const json::value* allocate = member(specOf(svc), "allocateLoadBalancerNodePorts");
  return !allocate || !allocate->is_bool() || allocate->get_bool();
}

bool hasSelector(const json::object& svc) {
  const json::value* selector = member(specOf(svc), "selector");
  return selector && selector->is_object() && !selector->get_object().empty();
}

std::vector<std::string> heldIPs(const json::object& svc) {
  std::vector<std::string> out;
  if (!needsClusterIP(svc)) return out;
  for (auto& ip : clusterIPsOf(svc)) {
    if (!ip.empty() && ip != kNone) out.push_back(std::move(ip));
  }
  return out;
}

std::set<std::int64_t> heldNodePorts(const json::object& svc) {
  std::set<std::int64_t> out;
  if (needsNodePort(svc)) {
    for (const json::object* port : portsOf(svc)) {
      if (std::int64_t n = intOf(*port, "nodePort"); n != 0) out.insert(n);
    }
  }
  if (needsHealthCheckNodePort(svc)) {
    if (std::int64_t hc = intOf(specOf(svc), "healthCheckNodePort"); hc != 0) out.insert(hc);
  }
  return out;
}

json::array toArray(const std::vector<std::string>& values) {
  json::array out;
  for (const auto& v : values) out.emplace_back(json::string(v));
  return out;
}

}  // namespace kcpp::apiserver::service
