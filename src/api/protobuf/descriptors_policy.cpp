// Protobuf descriptors of policy/v1: pod disruption budgets and evictions.
// Facts (field numbers, JSON names, pointer and omitempty) from upstream's
// generated.proto and types.go at v1.33; notation in descriptor.h.

#include "api/protobuf/descriptor_groups.h"

namespace kcpp::protobuf {

void addPolicyV1(DescriptorTable& table) {
  auto g = table.group("policy/v1", "policy/v1");
  g.object("Eviction", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "deleteOptions", msg("meta/v1.DeleteOptions").pointer()},
  });
  g.object("PodDisruptionBudget", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "spec", msg("PodDisruptionBudgetSpec")},
      {3, "status", msg("PodDisruptionBudgetStatus")},
  });
  g.message("PodDisruptionBudgetSpec", {
      {1, "minAvailable", intOrString().pointer()},
      {2, "selector", msg("meta/v1.LabelSelector").pointer()},
      {3, "maxUnavailable", intOrString().pointer()},
      {4, "unhealthyPodEvictionPolicy", str().pointer()},
  });
  g.message("PodDisruptionBudgetStatus", {
      {1, "observedGeneration", i64()},
      {2, "disruptedPods", mapOf(metaTime())},
      {3, "disruptionsAllowed", i32().always()},
      {4, "currentHealthy", i32().always()},
      {5, "desiredHealthy", i32().always()},
      {6, "expectedPods", i32().always()},
      {7, "conditions", listOf(msg("meta/v1.Condition"))},
  });
}

}  // namespace kcpp::protobuf
