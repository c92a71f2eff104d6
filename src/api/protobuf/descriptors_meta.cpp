// Protobuf descriptors of meta/v1 (k8s.io/apimachinery/pkg/apis/meta/v1): object and
// list metadata, label selectors, request options.
// Facts (field numbers, JSON names, pointer and omitempty) from upstream's
// generated.proto and types.go at v1.33; notation in descriptor.h.

#include <string>

#include "api/protobuf/descriptor_groups.h"

namespace kcpp::protobuf {

void addMetaV1(DescriptorTable& table) {
  auto g = table.group("meta/v1", "");
  g.message("Condition", {
      {1, "type", str().always()},
      {2, "status", str().always()},
      {3, "observedGeneration", i64()},
      {4, "lastTransitionTime", metaTime()},
      {5, "reason", str().always()},
      {6, "message", str().always()},
  });
  g.message("CreateOptions", {
      {1, "dryRun", listOf(str())},
      {3, "fieldManager", str()},
      {4, "fieldValidation", str()},
  });
  g.message("DeleteOptions", {
      {1, "gracePeriodSeconds", i64().pointer()},
      {2, "preconditions", msg("Preconditions").pointer()},
      {3, "orphanDependents", boolean().pointer()},
      {4, "propagationPolicy", str().pointer()},
      {5, "dryRun", listOf(str())},
      {6, "ignoreStoreReadErrorWithClusterBreakingPotential", boolean().pointer()},
  });
  g.message("FieldSelectorRequirement", {
      {1, "key", str().always()},
      {2, "operator", str().always()},
      {3, "values", listOf(str())},
  });
  g.message("LabelSelector", {
      {1, "matchLabels", mapOf(str())},
      {2, "matchExpressions", listOf(msg("LabelSelectorRequirement"))},
  });
  g.message("LabelSelectorRequirement", {
      {1, "key", str().always()},
      {2, "operator", str().always()},
      {3, "values", listOf(str())},
  });
  g.message("ListMeta", {
      {1, "selfLink", str()},
      {2, "resourceVersion", str()},
      {3, "continue", str()},
      {4, "remainingItemCount", i64().pointer()},
  });
  g.message("ManagedFieldsEntry", {
      {1, "manager", str()},
      {2, "operation", str()},
      {3, "apiVersion", str()},
      {4, "time", metaTime().pointer()},
      {6, "fieldsType", str()},
      {7, "fieldsV1", rawJson().pointer()},
      {8, "subresource", str()},
  });
  g.message("ObjectMeta", {
      {1, "name", str()},
      {2, "generateName", str()},
      {3, "namespace", str()},
      {4, "selfLink", str()},
      {5, "uid", str()},
      {6, "resourceVersion", str()},
      {7, "generation", i64()},
      {8, "creationTimestamp", metaTime()},
      {9, "deletionTimestamp", metaTime().pointer()},
      {10, "deletionGracePeriodSeconds", i64().pointer()},
      {11, "labels", mapOf(str())},
      {12, "annotations", mapOf(str())},
      {13, "ownerReferences", listOf(msg("OwnerReference"))},
      {14, "finalizers", listOf(str())},
      {17, "managedFields", listOf(msg("ManagedFieldsEntry"))},
  });
  g.message("OwnerReference", {
      {5, "apiVersion", str().always()},
      {1, "kind", str().always()},
      {3, "name", str().always()},
      {4, "uid", str().always()},
      {6, "controller", boolean().pointer()},
      {7, "blockOwnerDeletion", boolean().pointer()},
  });
  g.message("PatchOptions", {
      {1, "dryRun", listOf(str())},
      {2, "force", boolean().pointer()},
      {3, "fieldManager", str()},
      {4, "fieldValidation", str()},
  });
  g.message("Preconditions", {
      {1, "uid", str().pointer()},
      {2, "resourceVersion", str().pointer()},
  });
  g.message("UpdateOptions", {
      {1, "dryRun", listOf(str())},
      {2, "fieldManager", str()},
      {3, "fieldValidation", str()},
  });
  // Every API group version serves the option kinds (metav1.AddToGroupVersion),
  // so a client sends them under its own group's apiVersion.
  for (auto kind : {"CreateOptions", "DeleteOptions", "PatchOptions", "UpdateOptions"}) {
    table.kindInEveryVersion(kind, std::string("meta/v1.") + kind);
  }
}

}  // namespace kcpp::protobuf
