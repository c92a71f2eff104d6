// Protobuf descriptors of authorization.k8s.io/v1: (self, local) subject access reviews
// and rules reviews.
// Facts (field numbers, JSON names, pointer and omitempty) from upstream's
// generated.proto and types.go at v1.33; notation in descriptor.h.

#include "api/protobuf/descriptor_groups.h"

namespace kcpp::protobuf {

void addAuthorizationV1(DescriptorTable& table) {
  auto g = table.group("authorization/v1", "authorization.k8s.io/v1");
  g.object("LocalSubjectAccessReview", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "spec", msg("SubjectAccessReviewSpec")},
      {3, "status", msg("SubjectAccessReviewStatus")},
  });
  g.object("SelfSubjectAccessReview", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "spec", msg("SelfSubjectAccessReviewSpec")},
      {3, "status", msg("SubjectAccessReviewStatus")},
  });
  g.object("SelfSubjectRulesReview", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "spec", msg("SelfSubjectRulesReviewSpec")},
      {3, "status", msg("SubjectRulesReviewStatus")},
  });
  g.object("SubjectAccessReview", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "spec", msg("SubjectAccessReviewSpec")},
      {3, "status", msg("SubjectAccessReviewStatus")},
  });
  g.message("FieldSelectorAttributes", {
      {1, "rawSelector", str()},
      {2, "requirements", listOf(msg("meta/v1.FieldSelectorRequirement"))},
  });
  g.message("LabelSelectorAttributes", {
      {1, "rawSelector", str()},
      {2, "requirements", listOf(msg("meta/v1.LabelSelectorRequirement"))},
  });
  g.message("NonResourceAttributes", {
      {1, "path", str()},
      {2, "verb", str()},
  });
  g.message("NonResourceRule", {
      {1, "verbs", listOf(str()).always()},
      {2, "nonResourceURLs", listOf(str())},
  });
  g.message("ResourceAttributes", {
      {1, "namespace", str()},
      {2, "verb", str()},
      {3, "group", str()},
      {4, "version", str()},
      {5, "resource", str()},
      {6, "subresource", str()},
      {7, "name", str()},
      {8, "fieldSelector", msg("FieldSelectorAttributes").pointer()},
      {9, "labelSelector", msg("LabelSelectorAttributes").pointer()},
  });
  g.message("ResourceRule", {
      {1, "verbs", listOf(str()).always()},
      {2, "apiGroups", listOf(str())},
      {3, "resources", listOf(str())},
      {4, "resourceNames", listOf(str())},
  });
  g.message("SelfSubjectAccessReviewSpec", {
      {1, "resourceAttributes", msg("ResourceAttributes").pointer()},
      {2, "nonResourceAttributes", msg("NonResourceAttributes").pointer()},
  });
  g.message("SelfSubjectRulesReviewSpec", {
      {1, "namespace", str()},
  });
  g.message("SubjectAccessReviewSpec", {
      {1, "resourceAttributes", msg("ResourceAttributes").pointer()},
      {2, "nonResourceAttributes", msg("NonResourceAttributes").pointer()},
      {3, "user", str()},
      {4, "groups", listOf(str())},
      {5, "extra", mapOf(stringList())},
      {6, "uid", str()},
  });
  g.message("SubjectAccessReviewStatus", {
      {1, "allowed", boolean().always()},
      {4, "denied", boolean()},
      {2, "reason", str()},
      {3, "evaluationError", str()},
  });
  g.message("SubjectRulesReviewStatus", {
      {1, "resourceRules", listOf(msg("ResourceRule")).always()},
      {2, "nonResourceRules", listOf(msg("NonResourceRule")).always()},
      {3, "incomplete", boolean().always()},
      {4, "evaluationError", str()},
  });
}

}  // namespace kcpp::protobuf
