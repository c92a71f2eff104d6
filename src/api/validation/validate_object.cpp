#include "api/validation/validate_object.h"

#include <functional>
#include <map>

#include "api/validation/apps.h"
#include "api/validation/batch.h"
#include "api/validation/cluster_kinds.h"
#include "api/validation/config.h"
#include "api/validation/core_misc.h"
#include "api/validation/networking.h"
#include "api/validation/object_meta.h"
#include "api/validation/pod_spec.h"

namespace kcpp::api {

namespace json = boost::json;

namespace {

using validation::Causes;
using KindValidator = std::function<Causes(const json::object& obj, const json::object* old)>;

Causes pods(const json::object& obj, const json::object* old) {
  return old ? validation::validatePodUpdate(obj, *old) : validation::validatePod(obj);
}

// Keyed by "<group>/<resource>" ("/pods", "apps/deployments").
const std::map<std::string, KindValidator>& validators() {
  static const std::map<std::string, KindValidator> table = {
      {"/pods", pods},
      {"/configmaps", validation::validateConfigMap},
      {"/secrets", validation::validateSecret},
      {"/replicationcontrollers", validation::validateReplicationController},
      {"/namespaces", validation::validateNamespace},
      {"/resourcequotas", validation::validateResourceQuota},
      {"/limitranges", validation::validateLimitRange},
      {"/persistentvolumes", validation::validatePersistentVolume},
      {"/persistentvolumeclaims", validation::validatePersistentVolumeClaim},
      {"/nodes", validation::validateNode},
      {"apps/deployments", validation::validateDeployment},
      {"apps/replicasets", validation::validateReplicaSet},
      {"apps/statefulsets", validation::validateStatefulSet},
      {"apps/daemonsets", validation::validateDaemonSet},
      {"apps/controllerrevisions", validation::validateControllerRevision},
      {"batch/jobs", validation::validateJob},
      {"batch/cronjobs", validation::validateCronJob},
      {"networking.k8s.io/ingresses", validation::validateIngress},
      {"networking.k8s.io/ingressclasses", validation::validateIngressClass},
      {"networking.k8s.io/networkpolicies", validation::validateNetworkPolicy},
      {"rbac.authorization.k8s.io/roles", validation::validateRole},
      {"rbac.authorization.k8s.io/clusterroles", validation::validateClusterRole},
      {"rbac.authorization.k8s.io/rolebindings", validation::validateRoleBinding},
      {"rbac.authorization.k8s.io/clusterrolebindings", validation::validateClusterRoleBinding},
      {"policy/poddisruptionbudgets", validation::validatePodDisruptionBudget},
      {"scheduling.k8s.io/priorityclasses", validation::validatePriorityClass},
      {"coordination.k8s.io/leases", validation::validateLease},
      {"discovery.k8s.io/endpointslices", validation::validateEndpointSlice},
      {"storage.k8s.io/storageclasses", validation::validateStorageClass},
  };
  return table;
}

}  // namespace

std::vector<Cause> validateObject(const ResourceType& type, const json::object& obj, const json::object* old) {
  Causes out = old ? validation::validateObjectMetaUpdate(obj, *old)
                   : validation::validateObjectMeta(obj, type.nameRule);
  auto it = validators().find(type.group + "/" + type.resource);
  if (it != validators().end()) validation::append(out, it->second(obj, old));
  return out;
}

}  // namespace kcpp::api
