// Protobuf descriptors of rbac.authorization.k8s.io/v1: roles, cluster roles and their
// bindings.
// Facts (field numbers, JSON names, pointer and omitempty) from upstream's
// generated.proto and types.go at v1.33; notation in descriptor.h.

#include "api/protobuf/descriptor_groups.h"

namespace kcpp::protobuf {

void addRbacV1(DescriptorTable& table) {
  auto g = table.group("rbac/v1", "rbac.authorization.k8s.io/v1");
  g.object("ClusterRole", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "rules", listOf(msg("PolicyRule")).always()},
      {3, "aggregationRule", msg("AggregationRule").pointer()},
  });
  g.object("ClusterRoleBinding", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "subjects", listOf(msg("Subject"))},
      {3, "roleRef", msg("RoleRef")},
  });
  g.object("Role", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "rules", listOf(msg("PolicyRule")).always()},
  });
  g.object("RoleBinding", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "subjects", listOf(msg("Subject"))},
      {3, "roleRef", msg("RoleRef")},
  });
  g.message("AggregationRule", {
      {1, "clusterRoleSelectors", listOf(msg("meta/v1.LabelSelector"))},
  });
  g.message("PolicyRule", {
      {1, "verbs", listOf(str()).always()},
      {2, "apiGroups", listOf(str())},
      {3, "resources", listOf(str())},
      {4, "resourceNames", listOf(str())},
      {5, "nonResourceURLs", listOf(str())},
  });
  g.message("RoleRef", {
      {1, "apiGroup", str().always()},
      {2, "kind", str().always()},
      {3, "name", str().always()},
  });
  g.message("Subject", {
      {1, "kind", str().always()},
      {2, "apiGroup", str()},
      {3, "name", str().always()},
      {4, "namespace", str()},
  });
}

}  // namespace kcpp::protobuf
