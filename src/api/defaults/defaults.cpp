#include "api/defaults/defaults.h"

#include <string_view>

#include "api/defaults/pod_defaults.h"
#include "api/defaults/resource_defaults.h"
#include "api/defaults/schema_defaults.h"
#include "api/defaults/workload_defaults.h"
#include "api/schema/schema_navigation.h"

namespace kcpp::api::defaults {

namespace json = boost::json;

namespace {

using KindRule = void (*)(json::object&);

struct KindRuleEntry {
  std::string_view group;
  std::string_view kind;
  KindRule rule;
};

constexpr KindRuleEntry kKindRules[] = {
    {"", "Pod", defaultPod},
    {"", "PodTemplate", defaultPodTemplate},
    {"", "ReplicationController", defaultReplicationController},
    {"", "PersistentVolume", defaultPersistentVolume},
    {"", "PersistentVolumeClaim", defaultPersistentVolumeClaim},
    {"", "Node", defaultNode},
    {"", "LimitRange", defaultLimitRange},
    {"apps", "Deployment", defaultDeployment},
    {"apps", "ReplicaSet", defaultReplicaSet},
    {"apps", "DaemonSet", defaultDaemonSet},
    {"apps", "StatefulSet", defaultStatefulSet},
    {"batch", "Job", defaultJob},
    {"batch", "CronJob", defaultCronJob},
    {"networking.k8s.io", "NetworkPolicy", defaultNetworkPolicy},
    {"rbac.authorization.k8s.io", "RoleBinding", defaultRoleBinding},
    {"rbac.authorization.k8s.io", "ClusterRoleBinding", defaultRoleBinding},
};

KindRule kindRule(const ResourceType& type) {
  for (const auto& entry : kKindRules) {
    if (entry.group == type.group && entry.kind == type.kind) return entry.rule;
  }
  return nullptr;
}

// Defaults the data puts on a shared type that upstream sets for one kind only,
// in code: enableServiceLinks is SetDefaults_Pod's, so pod templates don't get it.
SchemaDefaultsOptions walkOptions(const SchemaSet& schemas) {
  SchemaDefaultsOptions options;
  if (const json::object* podSpec = schemas.definition("io.k8s.api.core.v1.PodSpec")) {
    if (auto field = fieldSchema(schemas, *podSpec, "enableServiceLinks")) {
      options.skip.push_back(field->property);
    }
  }
  return options;
}

}  // namespace

Defaulter defaulterFor(const SchemaSet& schemas, const ResourceType& type) {
  std::string root = schemas.rootName(type.group, type.version, type.kind);
  KindRule rule = kindRule(type);
  if (root.empty() && !rule) return {};
  return [&schemas, root = std::move(root), rule, options = walkOptions(schemas)](json::object& obj) {
    if (rule) rule(obj);
    if (!root.empty()) applySchemaDefaults(schemas, root, obj, options);
  };
}

void applyDefaults(const SchemaSet& schemas, const ResourceType& type, json::object& obj) {
  if (Defaulter defaulter = defaulterFor(schemas, type)) defaulter(obj);
}

}  // namespace kcpp::api::defaults
