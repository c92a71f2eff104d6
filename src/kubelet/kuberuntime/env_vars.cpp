#include "kubelet/kuberuntime/env_vars.h"

#include <algorithm>
#include <cctype>

#include "api/meta/object.h"
#include "api/validation/quantity.h"
#include "pki/base64.h"

namespace kcpp::kubelet::kuberuntime {

using api::validation::Quantity;

namespace {

std::string str(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

bool boolAt(const json::object& obj, std::string_view key, bool fallback) {
  const json::value* v = obj.if_contains(key);
  return v && v->is_bool() ? v->get_bool() : fallback;
}

// validation.IsEnvVarName: [-._a-zA-Z][-._a-zA-Z0-9]*
bool isEnvVarName(std::string_view name) {
  if (name.empty()) return false;
  auto ok = [](char c, bool first) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
           (!first && std::isdigit(static_cast<unsigned char>(c)));
  };
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!ok(name[i], i == 0)) return false;
  }
  return true;
}

std::string envName(std::string_view name) {
  std::string out;
  for (char c : name) out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string lower(std::string_view s) {
  std::string out;
  for (char c : s) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// An environment kept in first-insertion order with later values winning, as
// the container sees a Go map turned into a list (order is not part of the
// contract; stable order keeps configs and hashes reproducible).
class OrderedEnv {
 public:
  void set(const std::string& name, std::string value) {
    auto it = index_.find(name);
    if (it != index_.end()) {
      vars_[it->second].value = std::move(value);
      return;
    }
    index_[name] = vars_.size();
    vars_.push_back(EnvVar{name, std::move(value)});
  }
  std::optional<std::string> get(const std::string& name) const {
    auto it = index_.find(name);
    if (it == index_.end()) return std::nullopt;
    return vars_[it->second].value;
  }
  bool contains(const std::string& name) const { return index_.count(name) > 0; }
  void erase(const std::string& name) {
    auto it = index_.find(name);
    if (it == index_.end()) return;
    vars_.erase(vars_.begin() + static_cast<std::ptrdiff_t>(it->second));
    index_.clear();
    for (std::size_t i = 0; i < vars_.size(); ++i) index_[vars_[i].name] = i;
  }
  const std::vector<EnvVar>& vars() const { return vars_; }

 private:
  std::vector<EnvVar> vars_;
  std::map<std::string, std::size_t> index_;
};

// The string values of a ConfigMap's data or a Secret's decoded data.
Result<std::map<std::string, std::string>> objectData(const json::object& obj, bool secret) {
  std::map<std::string, std::string> out;
  const json::object* data = api::findObject(obj, "data");
  if (data) {
    for (const auto& [key, value] : *data) {
      if (!value.is_string()) continue;
      if (!secret) {
        out[std::string(key)] = std::string(value.get_string());
        continue;
      }
      auto decoded = pki::base64Decode(value.get_string());
      if (!decoded) return decoded.error();
      out[std::string(key)] = std::move(*decoded);
    }
  }
  // A Secret's stringData is folded into data by the API server; ConfigMaps'
  // binaryData never goes into env.
  return out;
}

std::string joinHostPort(const std::string& host, std::int64_t port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

std::int64_t intAt(const json::object& obj, std::string_view key) {
  const json::value* v = obj.if_contains(key);
  return v && v->is_int64() ? v->get_int64() : 0;
}

Result<void> addEnvFrom(const json::object& container, const EnvInputs& inputs, OrderedEnv& env,
                        std::vector<std::string>& warnings) {
  const json::value* list = container.if_contains("envFrom");
  if (!list || !list->is_array()) return {};
  for (const auto& entry : list->get_array()) {
    if (!entry.is_object()) continue;
    const json::object& from = entry.get_object();
    std::string prefix(api::getString(from, "prefix"));
    bool secret = false;
    const json::object* ref = api::findObject(from, "configMapRef");
    if (!ref) {
      ref = api::findObject(from, "secretRef");
      secret = true;
    }
    if (!ref) continue;
    std::string name(api::getString(*ref, "name"));
    bool optional = boolAt(*ref, "optional", false);
    const auto& objects = secret ? inputs.secrets : inputs.configMaps;
    auto found = objects.find(name);
    if (found == objects.end()) {
      if (optional) continue;
      return makeError(Reason::NotFound, std::string(secret ? "secret" : "configmap") + " \"" + name + "\" not found");
    }
    auto data = objectData(found->second, secret);
    if (!data) return data.error();
    std::vector<std::string> invalid;
    for (const auto& [key, value] : *data) {
      std::string k = prefix + key;
      if (!isEnvVarName(k)) {
        invalid.push_back(k);
        continue;
      }
      env.set(k, value);
    }
    if (!invalid.empty()) {
      std::string keys;
      for (const auto& k : invalid) keys += (keys.empty() ? "" : ", ") + k;
      warnings.push_back("Keys [" + keys + "] from the EnvFrom " + (secret ? "secret " : "configMap ") +
                         std::string(api::metaNamespace(found->second)) + "/" + name +
                         " were skipped since they are considered invalid environment variable names.");
    }
  }
  return {};
}

// The value of one env entry with valueFrom; nullopt when an optional source is missing.
Result<std::optional<std::string>> valueFrom(const json::object& pod, const json::object& container,
                                             const json::object& from, const EnvInputs& inputs) {
  if (const json::object* field = api::findObject(from, "fieldRef")) {
    auto v = podFieldValue(pod, api::getString(*field, "fieldPath"), inputs);
    if (!v) return v.error();
    return std::optional<std::string>(std::move(*v));
  }
  if (const json::object* resource = api::findObject(from, "resourceFieldRef")) {
    auto v = resourceFieldValue(container, *resource, inputs);
    if (!v) return v.error();
    return std::optional<std::string>(std::move(*v));
  }
  bool secret = false;
  const json::object* ref = api::findObject(from, "configMapKeyRef");
  if (!ref) {
    ref = api::findObject(from, "secretKeyRef");
    secret = true;
  }
  if (!ref) return std::optional<std::string>();
  std::string name(api::getString(*ref, "name"));
  std::string key(api::getString(*ref, "key"));
  bool optional = boolAt(*ref, "optional", false);
  const auto& objects = secret ? inputs.secrets : inputs.configMaps;
  auto found = objects.find(name);
  if (found == objects.end()) {
    if (optional) return std::optional<std::string>();
    return makeError(Reason::NotFound, std::string(secret ? "secret" : "configmap") + " \"" + name + "\" not found");
  }
  auto data = objectData(found->second, secret);
  if (!data) return data.error();
  auto value = data->find(key);
  if (value == data->end()) {
    if (optional) return std::optional<std::string>();
    std::string ns(api::metaNamespace(pod));
    return makeError(Reason::NotFound, "couldn't find key " + key + " in " + (secret ? "Secret " : "ConfigMap ") + ns +
                                           "/" + name);
  }
  return std::optional<std::string>(value->second);
}

}  // namespace

std::string expandVariables(std::string_view input,
                            const std::function<std::optional<std::string>(const std::string&)>& lookup) {
  std::string out;
  std::size_t checkpoint = 0;
  for (std::size_t cursor = 0; cursor < input.size(); ++cursor) {
    if (input[cursor] != '$' || cursor + 1 >= input.size()) continue;
    out.append(input.substr(checkpoint, cursor - checkpoint));
    std::string_view rest = input.substr(cursor + 1);
    std::size_t advance = 1;
    if (rest[0] == '$') {
      out += '$';  // "$$" escapes the operator
    } else if (rest[0] == '(') {
      std::size_t close = rest.find(')');
      if (close == std::string_view::npos) {
        out += "$(";  // an unterminated reference stays as it is
      } else {
        std::string name(rest.substr(1, close - 1));
        auto value = lookup(name);
        out += value ? *value : "$(" + name + ")";
        advance = close + 1;
      }
    } else {
      out += '$';
      out += rest[0];
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  if (checkpoint < input.size()) out.append(input.substr(checkpoint));
  return out;
}

std::vector<EnvVar> serviceEnvVars(const json::object& service) {
  std::vector<EnvVar> out;
  std::string ip = str(service, "spec.clusterIP");
  if (ip.empty() || ip == "None") return out;
  const json::value* ports = api::findPath(service, "spec.ports");
  if (!ports || !ports->is_array() || ports->get_array().empty()) return out;
  std::string name = envName(api::metaName(service));
  const json::array& list = ports->get_array();
  out.push_back({name + "_SERVICE_HOST", ip});
  const json::object& first = list.front().as_object();
  out.push_back({name + "_SERVICE_PORT", std::to_string(intAt(first, "port"))});
  for (const auto& p : list) {
    if (!p.is_object()) continue;
    std::string portName(api::getString(p.get_object(), "name"));
    if (portName.empty()) continue;
    out.push_back({name + "_SERVICE_PORT_" + envName(portName), std::to_string(intAt(p.get_object(), "port"))});
  }
  auto protocolOf = [](const json::object& p) {
    std::string proto = lower(api::getString(p, "protocol"));
    return proto.empty() ? std::string("tcp") : proto;
  };
  out.push_back({name + "_PORT", protocolOf(first) + "://" + joinHostPort(ip, intAt(first, "port"))});
  for (const auto& p : list) {
    if (!p.is_object()) continue;
    const json::object& port = p.get_object();
    std::string proto = protocolOf(port);
    std::int64_t number = intAt(port, "port");
    std::string prefix = name + "_PORT_" + std::to_string(number) + "_" + envName(proto);
    out.push_back({prefix, proto + "://" + joinHostPort(ip, number)});
    out.push_back({prefix + "_PROTO", proto});
    out.push_back({prefix + "_PORT", std::to_string(number)});
    out.push_back({prefix + "_ADDR", ip});
  }
  return out;
}

ReferencedObjects referencedObjects(const json::object& container) {
  ReferencedObjects out;
  auto add = [](std::vector<std::string>& to, std::string_view name) {
    if (!name.empty() && std::find(to.begin(), to.end(), name) == to.end()) to.emplace_back(name);
  };
  if (const json::value* list = container.if_contains("envFrom"); list && list->is_array()) {
    for (const auto& e : list->get_array()) {
      if (!e.is_object()) continue;
      if (const json::object* r = api::findObject(e.get_object(), "configMapRef")) add(out.configMaps, api::getString(*r, "name"));
      if (const json::object* r = api::findObject(e.get_object(), "secretRef")) add(out.secrets, api::getString(*r, "name"));
    }
  }
  if (const json::value* list = container.if_contains("env"); list && list->is_array()) {
    for (const auto& e : list->get_array()) {
      if (!e.is_object()) continue;
      const json::object* from = api::findObject(e.get_object(), "valueFrom");
      if (!from) continue;
      if (const json::object* r = api::findObject(*from, "configMapKeyRef")) add(out.configMaps, api::getString(*r, "name"));
      if (const json::object* r = api::findObject(*from, "secretKeyRef")) add(out.secrets, api::getString(*r, "name"));
    }
  }
  return out;
}

std::vector<json::object> servicesForPod(const json::object& pod, const std::vector<json::object>& allServices) {
  const json::value* links = api::findPath(pod, "spec.enableServiceLinks");
  bool enableLinks = !links || !links->is_bool() || links->get_bool();
  std::string ns(api::metaNamespace(pod));
  std::map<std::string, json::object> byName;
  for (const auto& svc : allServices) {
    std::string svcNs(api::metaNamespace(svc));
    std::string name(api::metaName(svc));
    bool master = svcNs == "default" && name == "kubernetes";
    // The pod namespace's services win over the master service of the same name.
    if (enableLinks && svcNs == ns) {
      byName[name] = svc;
    } else if (master && !byName.count(name)) {
      byName[name] = svc;
    }
  }
  std::vector<json::object> out;
  for (auto& [name, svc] : byName) out.push_back(std::move(svc));
  return out;
}

Result<std::string> podFieldValue(const json::object& pod, std::string_view fieldPath, const EnvInputs& inputs) {
  auto join = [](const std::vector<std::string>& ips) {
    std::string out;
    for (const auto& ip : ips) out += (out.empty() ? "" : ",") + ip;
    return out;
  };
  auto mapKey = [&](std::string_view prefix, const char* field) -> std::optional<std::string> {
    if (!fieldPath.starts_with(prefix) || !fieldPath.ends_with("']")) return std::nullopt;
    std::string key(fieldPath.substr(prefix.size(), fieldPath.size() - prefix.size() - 2));
    const json::object* meta = api::findObject(pod, "metadata");
    const json::object* map = meta ? api::findObject(*meta, field) : nullptr;
    return map ? std::string(api::getString(*map, key)) : std::string();
  };
  if (auto v = mapKey("metadata.labels['", "labels")) return *v;
  if (auto v = mapKey("metadata.annotations['", "annotations")) return *v;
  if (fieldPath == "metadata.name" || fieldPath == "metadata.namespace" || fieldPath == "metadata.uid" ||
      fieldPath == "spec.nodeName" || fieldPath == "spec.serviceAccountName") {
    return str(pod, fieldPath);
  }
  if (fieldPath == "status.hostIP") return inputs.hostIp;
  if (fieldPath == "status.hostIPs") return join(inputs.hostIps.empty() ? std::vector<std::string>{inputs.hostIp} : inputs.hostIps);
  if (fieldPath == "status.podIP") return inputs.podIps.empty() ? std::string() : inputs.podIps.front();
  if (fieldPath == "status.podIPs") return join(inputs.podIps);
  return makeError(Reason::BadRequest, "unsupported fieldPath: " + std::string(fieldPath));
}

Result<std::string> resourceFieldValue(const json::object& container, const json::object& ref, const EnvInputs& inputs) {
  std::string resource(api::getString(ref, "resource"));
  std::optional<Quantity> divisor;
  if (const json::value* d = ref.if_contains("divisor")) divisor = Quantity::fromJson(*d);
  if (!divisor || divisor->isZero()) divisor = Quantity::fromInt(1);
  auto dot = resource.find('.');
  if (dot == std::string::npos) return makeError(Reason::BadRequest, "unsupported container resource : " + resource);
  std::string kind = resource.substr(0, dot), name = resource.substr(dot + 1);
  std::optional<Quantity> value;
  if (const json::object* resources = api::findObject(container, "resources")) {
    if (const json::object* list = api::findObject(*resources, kind)) {
      if (const json::value* v = list->if_contains(name)) value = Quantity::fromJson(*v);
    }
  }
  auto ceilDiv = [](std::int64_t a, std::int64_t b) { return b <= 0 ? 0 : (a + b - 1) / b; };
  if (name == "cpu") {
    std::int64_t milli = value ? value->milliValue() : (kind == "limits" ? inputs.nodeAllocatableMilliCpu : 0);
    return std::to_string(ceilDiv(milli, divisor->milliValue()));
  }
  if (name == "memory" || name == "ephemeral-storage") {
    std::int64_t fallback = name == "memory" ? inputs.nodeAllocatableMemoryBytes : inputs.nodeAllocatableEphemeralBytes;
    std::int64_t bytes = value ? value->value() : (kind == "limits" ? fallback : 0);
    return std::to_string(ceilDiv(bytes, divisor->value()));
  }
  if (name.starts_with("hugepages-")) {
    return std::to_string(value ? ceilDiv(value->value(), divisor->value()) : 0);
  }
  return makeError(Reason::BadRequest, "unsupported container resource : " + resource);
}

Result<EnvResult> makeEnvironment(const json::object& pod, const json::object& container, const EnvInputs& inputs) {
  EnvResult result;
  OrderedEnv serviceEnv;
  for (const auto& svc : inputs.services) {
    for (auto& v : serviceEnvVars(svc)) serviceEnv.set(v.name, std::move(v.value));
  }
  OrderedEnv env;
  auto fromEnvFrom = addEnvFrom(container, inputs, env, result.warnings);
  if (!fromEnvFrom) return fromEnvFrom.error();
  auto lookup = [&](const std::string& name) -> std::optional<std::string> {
    if (auto v = env.get(name)) return v;
    return serviceEnv.get(name);
  };
  if (const json::value* list = container.if_contains("env"); list && list->is_array()) {
    for (const auto& entry : list->get_array()) {
      if (!entry.is_object()) continue;
      const json::object& var = entry.get_object();
      std::string name(api::getString(var, "name"));
      std::string value(api::getString(var, "value"));
      if (!value.empty()) {
        value = expandVariables(value, lookup);
      } else if (const json::object* from = api::findObject(var, "valueFrom")) {
        auto resolved = valueFrom(pod, container, *from, inputs);
        if (!resolved) return resolved.error();
        if (!resolved->has_value()) continue;  // optional source missing: no variable
        value = std::move(**resolved);
      }
      serviceEnv.erase(name);
      env.set(name, std::move(value));
    }
  }
  result.env = env.vars();
  for (const auto& v : serviceEnv.vars()) {
    if (!env.contains(v.name)) result.env.push_back(v);
  }
  return result;
}

}  // namespace kcpp::kubelet::kuberuntime
