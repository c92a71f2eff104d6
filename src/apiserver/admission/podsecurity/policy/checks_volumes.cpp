// Volumes: baseline forbids hostPath volumes; restricted allows only the
// volume types that cannot reach the node or outside storage directly
// (and replaces the baseline check, which it includes).
#include "apiserver/admission/podsecurity/policy/check_support.h"

namespace kcpp::apiserver::admission::podsecurity::detail {

namespace {

std::optional<Violation> hostPathVolumes(const json::object&, const json::object& spec) {
  std::vector<std::string> names;
  if (const json::array* volumes = arrayAt(&spec, "volumes")) {
    for (const json::value& v : *volumes) {
      if (v.is_object() && has(&v.get_object(), "hostPath")) {
        names.emplace_back(stringAt(&v.get_object(), "name"));
      }
    }
  }
  if (names.empty()) return std::nullopt;
  return Violation{"hostPath volumes",
                   std::string(pluralize("volume", "volumes", names.size())) + " " +
                       joinQuote(names)};
}

// Allowed in restricted namespaces (image since policy 1.33).
constexpr const char* kAllowedSources[] = {"configMap", "csi",       "downwardAPI",
                                           "emptyDir",  "ephemeral", "image",
                                           "persistentVolumeClaim", "projected", "secret"};

// The restricted sources, in the order upstream names the first one a volume sets.
constexpr const char* kRestrictedSources[] = {
    "hostPath", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs",
    "iscsi", "glusterfs", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "fc",
    "azureFile", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk",
    "portworxVolume", "scaleIO", "storageos"};

bool hasAllowedSource(const json::object& volume) {
  for (const char* source : kAllowedSources) {
    if (has(&volume, source)) return true;
  }
  return false;
}

std::string restrictedSource(const json::object& volume) {
  for (const char* source : kRestrictedSources) {
    if (has(&volume, source)) return source;
  }
  return "unknown";
}

std::optional<Violation> restrictedVolumes(const json::object&, const json::object& spec) {
  std::vector<std::string> names;
  std::set<std::string> types;
  if (const json::array* volumes = arrayAt(&spec, "volumes")) {
    for (const json::value& v : *volumes) {
      if (!v.is_object() || hasAllowedSource(v.get_object())) continue;
      names.emplace_back(stringAt(&v.get_object(), "name"));
      types.insert(restrictedSource(v.get_object()));
    }
  }
  if (names.empty()) return std::nullopt;
  return Violation{
      "restricted volume types",
      std::string(pluralize("volume", "volumes", names.size())) + " " + joinQuote(names) + " " +
          std::string(pluralize("uses", "use", names.size())) + " " +
          std::string(pluralize("restricted volume type", "restricted volume types", types.size())) +
          " " + joinQuote(types)};
}

}  // namespace

std::vector<Check> volumeChecks() {
  return {
      {"hostPathVolumes", Level::Baseline, hostPathVolumes, {}},
      {"restrictedVolumes", Level::Restricted, restrictedVolumes, {"hostPathVolumes"}},
  };
}

}  // namespace kcpp::apiserver::admission::podsecurity::detail
