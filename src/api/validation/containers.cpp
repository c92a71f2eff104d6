// Container validation: names, images, ports, env, mounts, probes, lifecycle.
#include <algorithm>
#include <cctype>

#include "api/validation/pod_internal.h"

namespace kcpp::api::validation::pod {
namespace {

const json::object& asObject(const json::value& v) {
  static const json::object empty;
  return v.is_object() ? v.get_object() : empty;
}

void enumField(const json::object& c, std::string_view key, const Path& p,
               const std::vector<std::string>& supported, Causes& out) {
  std::string_view v = stringAt(c, key);
  if (v.empty()) return;  // defaulted
  if (std::find(supported.begin(), supported.end(), v) == supported.end()) {
    out.push_back(notSupportedStr(p.child(key), v, supported));
  }
}

void validatePort(const json::object& port, const Path& p, std::set<std::string>& names,
                  Causes& out) {
  std::string_view name = stringAt(port, "name");
  if (!name.empty()) {
    Causes nameErrs;
    portName(name, p.child("name"), nameErrs);
    if (!nameErrs.empty()) {
      append(out, std::move(nameErrs));
    } else if (!names.insert(std::string(name)).second) {
      out.push_back(duplicateStr(p.child("name"), name));
    }
  }
  auto containerPort = intAt(port, "containerPort").value_or(0);
  if (containerPort == 0) {
    out.push_back(required(p.child("containerPort")));
  } else {
    portNumber(containerPort, p.child("containerPort"), out);
  }
  if (auto hostPort = intAt(port, "hostPort"); hostPort && *hostPort != 0) {
    portNumber(*hostPort, p.child("hostPort"), out);
  }
  enumField(port, "protocol", p, {"SCTP", "TCP", "UDP"}, out);
}

void validatePorts(const json::array* ports, const Path& p, Causes& out) {
  if (!ports) return;
  std::set<std::string> names;
  for (std::size_t i = 0; i < ports->size(); ++i) {
    validatePort(asObject((*ports)[i]), p.index(i), names, out);
  }
}

bool relaxedEnvNameOk(std::string_view name) {
  return std::all_of(name.begin(), name.end(),
                     [](unsigned char c) { return c >= 0x20 && c < 0x7F && c != '='; });
}

void envName(std::string_view name, const Path& p, Causes& out) {
  if (!relaxedEnvNameOk(name)) {
    out.push_back(invalidStr(p, name,
                             "a valid environment variable name must consist only of printable "
                             "ASCII characters other than '='"));
  }
}

const std::vector<std::string>& envFieldPaths() {
  static const std::vector<std::string> paths = {
      "metadata.name",   "metadata.namespace", "metadata.uid",   "spec.nodeName",
      "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP",
      "status.podIPs"};
  return paths;
}

bool convertibleFieldLabel(std::string_view label) {
  static const std::set<std::string, std::less<>> known = {
      "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace",
      "metadata.uid", "spec.nodeName", "spec.restartPolicy", "spec.serviceAccountName",
      "spec.schedulerName", "status.phase", "status.hostIP", "status.hostIPs", "status.podIP",
      "status.podIPs", "spec.host"};
  return known.count(label) > 0;
}

void fieldRef(const json::object& ref, const Path& p, Causes& out) {
  std::string_view apiVersion = stringAt(ref, "apiVersion");
  std::string_view path = stringAt(ref, "fieldPath");
  if (!has(ref, "apiVersion") && has(ref, "fieldPath")) apiVersion = "v1";  // defaulted
  if (apiVersion.empty()) return out.push_back(required(p.child("apiVersion")));
  if (path.empty()) return out.push_back(required(p.child("fieldPath")));
  std::string error;
  auto bracket = path.find('[');
  if (apiVersion != "v1") {
    error = "unsupported pod version: " + std::string(apiVersion);
  } else if (bracket != std::string_view::npos && path.back() == ']') {
    std::string_view base = path.substr(0, bracket);
    if (base != "metadata.annotations" && base != "metadata.labels") {
      error = "field label does not support subscript: " + std::string(path);
    }
    if (error.empty()) return;
  } else if (!convertibleFieldLabel(path)) {
    error = "field label not supported: " + std::string(path);
  }
  if (!error.empty()) {
    return out.push_back(invalidStr(p.child("fieldPath"), path, "error converting fieldPath: " + error));
  }
  std::string internal = path == "spec.host" ? "spec.nodeName" : std::string(path);
  const auto& allowed = envFieldPaths();
  if (std::find(allowed.begin(), allowed.end(), internal) == allowed.end()) {
    out.push_back(notSupportedStr(p.child("fieldPath"), internal, allowed));
  }
}

void resourceFieldRef(const json::object& ref, const Path& p, Causes& out) {
  static const std::vector<std::string> resources = {
      "limits.cpu",   "limits.ephemeral-storage",   "limits.memory",
      "requests.cpu", "requests.ephemeral-storage", "requests.memory"};
  std::string_view resource = stringAt(ref, "resource");
  if (resource.empty()) return out.push_back(required(p.child("resource")));
  bool hugepages = resource.starts_with("limits.hugepages-") || resource.starts_with("requests.hugepages-");
  if (!hugepages && std::find(resources.begin(), resources.end(), resource) == resources.end()) {
    out.push_back(notSupportedStr(p.child("resource"), resource, resources));
  }
}

void keySelector(const json::object& ref, const Path& p, Causes& out) {
  std::string_view name = stringAt(ref, "name");
  dns1123Subdomain(name, p.child("name"), out);
  std::string_view key = stringAt(ref, "key");
  if (key.empty()) return out.push_back(required(p.child("key")));
  if (key.size() > 253) out.push_back(invalidStr(p.child("key"), key, "must be no more than 253 characters"));
  bool ok = std::all_of(key.begin(), key.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.';
  });
  if (!ok) {
    out.push_back(invalidStr(p.child("key"), key,
                             "a valid config key must consist of alphanumeric characters, '-', '_' "
                             "or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used "
                             "for validation is '[-._a-zA-Z0-9]+')"));
  }
}

void valueFrom(const json::object& env, const Path& p, Causes& out) {
  const json::object* from = objectAt(env, "valueFrom");
  if (!from) return;
  int sources = 0;
  if (const auto* r = objectAt(*from, "fieldRef")) ++sources, fieldRef(*r, p.child("fieldRef"), out);
  if (const auto* r = objectAt(*from, "resourceFieldRef")) {
    ++sources, resourceFieldRef(*r, p.child("resourceFieldRef"), out);
  }
  if (const auto* r = objectAt(*from, "configMapKeyRef")) {
    ++sources, keySelector(*r, p.child("configMapKeyRef"), out);
  }
  if (const auto* r = objectAt(*from, "secretKeyRef")) ++sources, keySelector(*r, p.child("secretKeyRef"), out);
  if (sources == 0) {
    out.push_back(invalidStr(p, "", "must specify one of: `fieldRef`, `resourceFieldRef`, "
                                    "`configMapKeyRef` or `secretKeyRef`"));
  } else if (!stringAt(env, "value").empty()) {
    out.push_back(invalidStr(p, "", "may not be specified when `value` is not empty"));
  } else if (sources > 1) {
    out.push_back(invalidStr(p, "", "may not have more than one field specified at a time"));
  }
}

void validateEnv(const json::array* env, const Path& p, Causes& out) {
  if (!env) return;
  for (std::size_t i = 0; i < env->size(); ++i) {
    const json::object& e = asObject((*env)[i]);
    std::string_view name = stringAt(e, "name");
    if (name.empty()) {
      out.push_back(required(p.index(i).child("name")));
    } else {
      envName(name, p.index(i).child("name"), out);
    }
    valueFrom(e, p.index(i).child("valueFrom"), out);
  }
}

void envFromRef(const json::object& ref, const Path& p, Causes& out) {
  std::string_view name = stringAt(ref, "name");
  if (name.empty()) return out.push_back(required(p.child("name")));
  std::string masked(name);
  if (masked.size() > 1 && masked.back() == '-') masked.back() = 'a';
  dns1123SubdomainMessages(masked, name, p.child("name"), out);
}

void validateEnvFrom(const json::array* list, const Path& p, Causes& out) {
  if (!list) return;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const json::object& e = asObject((*list)[i]);
    std::string_view prefix = stringAt(e, "prefix");
    if (!prefix.empty()) envName(prefix, p.index(i).child("prefix"), out);
    int sources = 0;
    if (const auto* r = objectAt(e, "configMapRef")) ++sources, envFromRef(*r, p.index(i).child("configMapRef"), out);
    if (const auto* r = objectAt(e, "secretRef")) ++sources, envFromRef(*r, p.index(i).child("secretRef"), out);
    if (sources == 0) {
      out.push_back(invalidStr(p, "", "must specify one of: `configMapRef` or `secretRef`"));
    } else if (sources > 1) {
      out.push_back(invalidStr(p, "", "may not have more than one field specified at a time"));
    }
  }
}

std::map<std::string, std::string> deviceMap(const json::array* devices) {
  std::map<std::string, std::string> out;
  if (!devices) return out;
  for (const auto& d : *devices) {
    out[std::string(stringAt(asObject(d), "name"))] = std::string(stringAt(asObject(d), "devicePath"));
  }
  return out;
}

bool privileged(const json::object& c) {
  const json::object* sc = objectAt(c, "securityContext");
  return sc && boolAt(*sc, "privileged");
}

void mountPropagation(const json::object& m, const json::object& c, const Path& list, Causes& out) {
  std::string_view mode = stringAt(m, "mountPropagation");
  if (mode.empty()) return;
  static const std::vector<std::string> modes = {"Bidirectional", "HostToContainer", "None"};
  if (std::find(modes.begin(), modes.end(), mode) == modes.end()) {
    out.push_back(notSupportedStr(list.child("mountPropagation"), mode, modes));
  }
  if (mode == "Bidirectional" && !privileged(c)) {
    out.push_back(forbidden(list.child("mountPropagation"),
                            "Bidirectional mount propagation is available only to privileged containers"));
  }
}

void validateMount(const json::object& m, const json::object& c, const VolumeMap& volumes,
                   const Path& list, std::size_t i, std::set<std::string>& mountPaths, Causes& out) {
  Path p = list.index(i);
  std::string name(stringAt(m, "name"));
  std::string mountPath(stringAt(m, "mountPath"));
  if (name.empty()) out.push_back(required(p.child("name")));
  if (!volumes.count(name)) out.push_back(notFoundStr(p.child("name"), name));
  if (mountPath.empty()) out.push_back(required(p.child("mountPath")));
  if (!mountPaths.insert(mountPath).second) {
    out.push_back(invalidStr(p.child("mountPath"), mountPath, "must be unique"));
  }
  auto devices = deviceMap(arrayAt(c, "volumeDevices"));
  if (devices.count(name)) out.push_back(invalidStr(p.child("name"), name, "must not already exist in volumeDevices"));
  for (const auto& [dev, path] : devices) {
    if (path == mountPath) {
      out.push_back(invalidStr(p.child("mountPath"), mountPath,
                               "must not already exist as a path in volumeDevices"));
    }
  }
  std::string_view subPath = stringAt(m, "subPath"), subPathExpr = stringAt(m, "subPathExpr");
  if (!subPath.empty()) localDescendingPath(subPath, list.child("subPath"), out);
  if (!subPathExpr.empty()) {
    if (!subPath.empty()) {
      out.push_back(invalidStr(p.child("subPathExpr"), subPathExpr,
                               "subPathExpr and subPath are mutually exclusive"));
    }
    localDescendingPath(subPathExpr, list.child("subPathExpr"), out);
  }
  mountPropagation(m, c, list, out);
}

void validateMounts(const json::object& c, const VolumeMap& volumes, const Path& p, Causes& out) {
  const json::array* mounts = arrayAt(c, "volumeMounts");
  if (!mounts) return;
  std::set<std::string> mountPaths;
  for (std::size_t i = 0; i < mounts->size(); ++i) {
    validateMount(asObject((*mounts)[i]), c, volumes, p, i, mountPaths, out);
  }
}

void validateContainerCommon(const json::object& c, const ContainerContext& ctx, const Path& p,
                             Causes& out) {
  std::string_view name = stringAt(c, "name");
  if (name.empty()) {
    out.push_back(required(p.child("name")));
  } else {
    dns1123Label(name, p.child("name"), out);
  }
  if (stringAt(c, "image").empty()) out.push_back(required(p.child("image")));
  enumField(c, "terminationMessagePolicy", p, {"File", "FallbackToLogsOnError"}, out);
  validatePorts(arrayAt(c, "ports"), p.child("ports"), out);
  validateEnv(arrayAt(c, "env"), p.child("env"), out);
  validateEnvFrom(arrayAt(c, "envFrom"), p.child("envFrom"), out);
  validateMounts(c, *ctx.volumes, p.child("volumeMounts"), out);
  enumField(c, "imagePullPolicy", p, {"Always", "IfNotPresent", "Never"}, out);
  append(out, validateResourceRequirements(objectAt(c, "resources"), p.child("resources")));
  append(out, validateSecurityContext(objectAt(c, "securityContext"), p.child("securityContext")));
}

void validateHandler(const json::object& h, bool probe, const ContainerContext& ctx,
                     const Path& p, Causes& out);

void validateProbe(const json::object* probe, bool successMustBeOne, const ContainerContext& ctx,
                   const Path& p, Causes& out) {
  if (!probe) return;
  validateHandler(*probe, true, ctx, p, out);
  for (std::string_view f : {"initialDelaySeconds", "timeoutSeconds", "periodSeconds",
                             "successThreshold", "failureThreshold"}) {
    nonNegative(*probe, f, p, out);
  }
  if (auto grace = intAt(*probe, "terminationGracePeriodSeconds"); grace && *grace <= 0) {
    out.push_back(invalidInt(p.child("terminationGracePeriodSeconds"), *grace, "must be greater than 0"));
  }
  auto success = intAt(*probe, "successThreshold");
  if (successMustBeOne && success && *success != 1) {
    out.push_back(invalidInt(p.child("successThreshold"), *success, "must be 1"));
  }
}

void validateHttpGet(const json::object& h, const Path& p, Causes& out) {
  portNumOrName(valueAt(h, "port"), p.child("port"), out);
  enumField(h, "scheme", p, {"HTTP", "HTTPS"}, out);
  const json::array* headers = arrayAt(h, "httpHeaders");
  if (!headers) return;
  for (const auto& header : *headers) {
    std::string_view name = stringAt(asObject(header), "name");
    bool ok = !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
      return std::isalnum(c) || c == '-';
    });
    if (!ok) {
      out.push_back(invalidStr(p.child("httpHeaders"), name,
                               "a valid HTTP header must consist of alphanumeric characters or '-' "
                               "(e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')"));
    }
  }
}

void validateSleep(const json::object& s, const ContainerContext& ctx, const Path& p, Causes& out) {
  auto seconds = intAt(s, "seconds").value_or(0);
  if (ctx.gracePeriod && (seconds < 0 || seconds > *ctx.gracePeriod)) {
    out.push_back(invalidInt(p, seconds,
                             "must be non-negative and less than terminationGracePeriodSeconds (" +
                                 std::to_string(*ctx.gracePeriod) + ")"));
  }
}

void validateHandler(const json::object& h, bool probe, const ContainerContext& ctx,
                     const Path& p, Causes& out) {
  int handlers = 0;
  for (std::string_view kind : {"exec", "httpGet", "tcpSocket", "grpc", "sleep"}) {
    const json::object* action = objectAt(h, kind);
    if (!action || (probe && kind == "sleep") || (!probe && kind == "grpc")) continue;
    if (handlers++ > 0) {
      out.push_back(forbidden(p.child(kind), "may not specify more than 1 handler type"));
      continue;
    }
    Path ap = p.child(kind);
    if (kind == "exec" && !arrayAt(*action, "command")) out.push_back(required(ap.child("command")));
    if (kind == "exec" && arrayAt(*action, "command") && arrayAt(*action, "command")->empty()) {
      out.push_back(required(ap.child("command")));
    }
    if (kind == "httpGet") validateHttpGet(*action, ap, out);
    if (kind == "tcpSocket") portNumOrName(valueAt(*action, "port"), ap.child("port"), out);
    if (kind == "grpc") portNumber(intAt(*action, "port").value_or(0), ap.child("port"), out);
    if (kind == "sleep") validateSleep(*action, ctx, ap, out);
  }
  if (handlers == 0) out.push_back(required(p, "must specify a handler type"));
}

void validateLifecycle(const json::object* lifecycle, const ContainerContext& ctx, const Path& p,
                       Causes& out) {
  if (!lifecycle) return;
  for (std::string_view hook : {"postStart", "preStop"}) {
    if (const json::object* h = objectAt(*lifecycle, hook)) validateHandler(*h, false, ctx, p.child(hook), out);
  }
}

void probesAndLifecycle(const json::object& c, const ContainerContext& ctx, const Path& p,
                        Causes& out) {
  validateLifecycle(objectAt(c, "lifecycle"), ctx, p.child("lifecycle"), out);
  validateProbe(objectAt(c, "livenessProbe"), true, ctx, p.child("livenessProbe"), out);
  const json::object* readiness = objectAt(c, "readinessProbe");
  validateProbe(readiness, false, ctx, p.child("readinessProbe"), out);
  if (readiness && has(*readiness, "terminationGracePeriodSeconds")) {
    out.push_back(invalidInt(p.child("readinessProbe").child("terminationGracePeriodSeconds"),
                             intAt(*readiness, "terminationGracePeriodSeconds").value_or(0),
                             "must not be set for readinessProbes"));
  }
  validateProbe(objectAt(c, "startupProbe"), true, ctx, p.child("startupProbe"), out);
}

// AccumulateUniqueHostPorts: protocol/hostIP/hostPort must be unique.
void hostPortConflicts(const json::array& containers, const Path& p, std::set<std::string>& seen,
                       Causes& out, std::size_t first, std::size_t last) {
  for (std::size_t ci = first; ci < last; ++ci) {
    const json::array* ports = arrayAt(asObject(containers[ci]), "ports");
    for (std::size_t pi = 0; ports && pi < ports->size(); ++pi) {
      const json::object& port = asObject((*ports)[pi]);
      auto hostPort = intAt(port, "hostPort").value_or(0);
      if (hostPort == 0) continue;
      std::string protocol(stringAt(port, "protocol"));
      std::string key = (protocol.empty() ? "TCP" : protocol) + "/" +
                        std::string(stringAt(port, "hostIP")) + "/" + std::to_string(hostPort);
      if (!seen.insert(key).second) {
        out.push_back(duplicateStr(p.index(ci).child("ports").index(pi).child("hostPort"), key));
      }
    }
  }
}

}  // namespace

Causes validateContainers(const json::array* containers, const ContainerContext& ctx,
                          const Path& p) {
  Causes out;
  if (!containers || containers->empty()) return {required(p)};
  std::set<std::string> names;
  for (std::size_t i = 0; i < containers->size(); ++i) {
    const json::object& c = asObject((*containers)[i]);
    validateContainerCommon(c, ctx, p.index(i), out);
    std::string name(stringAt(c, "name"));
    if (!names.insert(name).second) out.push_back(duplicateStr(p.index(i).child("name"), name));
    probesAndLifecycle(c, ctx, p.index(i), out);
    if (has(c, "restartPolicy")) {
      out.push_back(forbidden(p.index(i).child("restartPolicy"), "may not be set for non-init containers"));
    }
  }
  std::set<std::string> seen;
  hostPortConflicts(*containers, p, seen, out, 0, containers->size());
  return out;
}

Causes validateInitContainers(const json::array* init, const json::array* regular,
                              const ContainerContext& ctx, const Path& p) {
  Causes out;
  if (!init) return out;
  std::set<std::string> names;
  for (const auto& c : regular ? *regular : json::array()) names.insert(std::string(stringAt(asObject(c), "name")));
  for (std::size_t i = 0; i < init->size(); ++i) {
    const json::object& c = asObject((*init)[i]);
    Path ip = p.index(i);
    validateContainerCommon(c, ctx, ip, out);
    std::string_view policy = stringAt(c, "restartPolicy");
    if (has(c, "restartPolicy") && policy != "Always") {
      out.push_back(notSupportedStr(ip.child("restartPolicy"), policy, {"Always"}));
    }
    std::string name(stringAt(c, "name"));
    if (names.count(name)) {
      out.push_back(duplicateStr(ip.child("name"), name));
    } else if (!name.empty()) {
      names.insert(name);
    }
    std::set<std::string> seen;
    hostPortConflicts(*init, p, seen, out, i, i + 1);
    if (policy == "Always") {
      probesAndLifecycle(c, ctx, ip, out);
      continue;
    }
    for (std::string_view f : {"lifecycle", "livenessProbe", "readinessProbe", "startupProbe"}) {
      if (has(c, f)) {
        out.push_back(forbidden(ip.child(f), "may not be set for init containers without restartPolicy=Always"));
      }
    }
  }
  return out;
}

}  // namespace kcpp::api::validation::pod
