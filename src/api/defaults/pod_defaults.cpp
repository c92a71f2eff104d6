#include "api/defaults/pod_defaults.h"

#include "api/defaults/image_reference.h"
#include "api/defaults/json_fields.h"

namespace kcpp::api::defaults {

namespace {

constexpr const char* kContainerLists[] = {"containers", "initContainers", "ephemeralContainers"};

bool isZero(const json::value& v) {
  return (v.is_int64() && v.get_int64() == 0) || (v.is_uint64() && v.get_uint64() == 0) ||
         (v.is_double() && v.get_double() == 0);
}

// SetDefaults_Probe tests the int32 fields against 0, so an explicit 0 is
// replaced too (an absent one is the schema's).
void defaultProbeZeros(json::object& probe) {
  static constexpr std::pair<const char*, int> kThresholds[] = {
      {"timeoutSeconds", 1}, {"periodSeconds", 10}, {"successThreshold", 1}, {"failureThreshold", 3}};
  for (const auto& [field, value] : kThresholds) {
    auto it = probe.find(field);
    if (it != probe.end() && isZero(it->value())) it->value() = value;
  }
}

void defaultContainer(json::object& container) {
  if (isUnsetString(container, "imagePullPolicy")) {
    auto image = container.find("image");
    std::string_view name = image != container.end() && image->value().is_string()
                                ? std::string_view(image->value().get_string())
                                : std::string_view();
    container["imagePullPolicy"] = defaultPullPolicy(name);
  }
  for (const char* probe : {"livenessProbe", "readinessProbe", "startupProbe"}) {
    if (json::object* p = objectAt(container, probe)) defaultProbeZeros(*p);
  }
}

bool hasVolumeSource(const json::object& volume) {
  for (const auto& kv : volume) {
    if (kv.key() != "name" && !kv.value().is_null()) return true;
  }
  return false;
}

void defaultVolume(json::object& volume) {
  if (!hasVolumeSource(volume)) volume["emptyDir"] = json::object();
  if (json::object* hostPath = objectAt(volume, "hostPath")) setIfUnset(*hostPath, "type", "");
}

void defaultHostNetworkPorts(json::object& container) {
  forEachObjectIn(container, "ports", [](json::object& port) {
    auto cp = port.find("containerPort");
    if (cp == port.end() || !cp->value().is_number() || isZero(cp->value())) return;
    auto hp = port.find("hostPort");
    if (hp == port.end() || hp->value().is_null() || isZero(hp->value())) {
      port["hostPort"] = cp->value();
    }
  });
}

void defaultRequestsFromLimits(json::object& container) {
  json::object* resources = objectAt(container, "resources");
  json::object* limits = resources ? objectAt(*resources, "limits") : nullptr;
  if (!limits || limits->empty()) return;
  if (!ensureObjectAt(*resources, "requests")) return;
  // Looked up again: adding requests may have moved limits.
  limits = objectAt(*resources, "limits");
  json::object* requests = objectAt(*resources, "requests");
  for (const auto& kv : *limits) {
    if (!requests->contains(kv.key())) (*requests)[kv.key()] = kv.value();
  }
}

}  // namespace

std::string defaultPullPolicy(std::string_view image) {
  return imageTag(image) == "latest" ? "Always" : "IfNotPresent";
}

void defaultPodSpec(json::object& spec) {
  for (const char* list : kContainerLists) forEachObjectIn(spec, list, defaultContainer);
  forEachObjectIn(spec, "volumes", defaultVolume);
}

void defaultPodTemplateSpec(json::object& podTemplateSpec) {
  if (json::object* spec = objectAt(podTemplateSpec, "spec")) defaultPodSpec(*spec);
}

void defaultPod(json::object& pod) {
  json::object* spec = objectAt(pod, "spec");
  if (!spec) return;
  for (const char* list : {"containers", "initContainers"}) {
    forEachObjectIn(*spec, list, defaultRequestsFromLimits);
  }
  setIfUnset(*spec, "enableServiceLinks", true);
  // v1's deprecated spec.serviceAccount names the account when
  // serviceAccountName does not (upstream's v1 conversion).
  if (isUnsetString(*spec, "serviceAccountName") && !isUnsetString(*spec, "serviceAccount")) {
    (*spec)["serviceAccountName"] = (*spec)["serviceAccount"];
  }
  if (auto hostNetwork = spec->find("hostNetwork");
      hostNetwork != spec->end() && hostNetwork->value() == true) {
    for (const char* list : {"containers", "initContainers"}) {
      forEachObjectIn(*spec, list, defaultHostNetworkPorts);
    }
  }
  defaultPodSpec(*spec);
}

}  // namespace kcpp::api::defaults
