#pragma once
// A container's environment as upstream's kubelet makes it
// (kubelet_pods.go makeEnvironmentVariables, pkg/kubelet/envvars, the forked
// expansion package): service links, envFrom, env with valueFrom and $(VAR)
// expansion.
//
// Building is pure: the caller fetches the ConfigMaps, Secrets and Services the
// container refers to (referencedObjects tells which) and passes them in.

#include <boost/json.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "util/error.h"

namespace kcpp::kubelet::kuberuntime {

namespace json = boost::json;

struct EnvVar {
  std::string name;
  std::string value;
  bool operator==(const EnvVar&) const = default;
};

// expansion.Expand: $(NAME) replaced through `lookup` (nullopt leaves "$(NAME)"),
// $$ is a literal $, anything else is copied.
std::string expandVariables(std::string_view input,
                            const std::function<std::optional<std::string>(const std::string&)>& lookup);

// Service link variables of one Service (envvars.FromServices): FOO_SERVICE_HOST,
// FOO_SERVICE_PORT, FOO_SERVICE_PORT_<NAME>, FOO_PORT, FOO_PORT_80_TCP{,_PROTO,_PORT,_ADDR}.
// Nothing for headless or IP-less services.
std::vector<EnvVar> serviceEnvVars(const json::object& service);

struct EnvInputs {
  // ConfigMaps and Secrets of the pod's namespace by name (the ones referred to;
  // absent ones are "not found").
  std::map<std::string, json::object> configMaps;
  std::map<std::string, json::object> secrets;
  // Services whose links go in: the pod namespace's (when enableServiceLinks)
  // plus default/kubernetes. servicesForPod() selects them from a list.
  std::vector<json::object> services;
  std::string hostIp;
  std::vector<std::string> hostIps;
  std::vector<std::string> podIps;
  // Node allocatable, for resourceFieldRef limits the container does not set.
  std::int64_t nodeAllocatableMilliCpu = 0;
  std::int64_t nodeAllocatableMemoryBytes = 0;
  std::int64_t nodeAllocatableEphemeralBytes = 0;
};

// The ConfigMap and Secret names a container's env/envFrom refer to.
struct ReferencedObjects {
  std::vector<std::string> configMaps;
  std::vector<std::string> secrets;
};
ReferencedObjects referencedObjects(const json::object& container);

// The Services whose link variables a pod gets (getServiceEnvVarMap): those of
// its namespace when enableServiceLinks (default true), and the "kubernetes"
// service of namespace default always.
std::vector<json::object> servicesForPod(const json::object& pod, const std::vector<json::object>& allServices);

// Events upstream records while building (e.g. InvalidEnvironmentVariableNames);
// `warnings` collects their messages.
struct EnvResult {
  std::vector<EnvVar> env;
  std::vector<std::string> warnings;
};

// The container's final environment; an Error (as upstream's message) when a
// required ConfigMap/Secret or key is missing.
Result<EnvResult> makeEnvironment(const json::object& pod, const json::object& container, const EnvInputs& inputs);

// A downward API field value (podFieldSelectorRuntimeValue / ExtractFieldPathAsString).
Result<std::string> podFieldValue(const json::object& pod, std::string_view fieldPath, const EnvInputs& inputs);
// A resourceFieldRef value (ExtractContainerResourceValue with node allocatable
// for unset limits).
Result<std::string> resourceFieldValue(const json::object& container, const json::object& ref, const EnvInputs& inputs);

}  // namespace kcpp::kubelet::kuberuntime
