// Protobuf descriptors of authentication.k8s.io/v1: token requests, token reviews, self
// subject reviews.
// Facts (field numbers, JSON names, pointer and omitempty) from upstream's
// generated.proto and types.go at v1.33; notation in descriptor.h.

#include "api/protobuf/descriptor_groups.h"

namespace kcpp::protobuf {

void addAuthenticationV1(DescriptorTable& table) {
  auto g = table.group("authentication/v1", "authentication.k8s.io/v1");
  g.object("SelfSubjectReview", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "status", msg("SelfSubjectReviewStatus")},
  });
  g.object("TokenRequest", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "spec", msg("TokenRequestSpec")},
      {3, "status", msg("TokenRequestStatus")},
  });
  g.object("TokenReview", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "spec", msg("TokenReviewSpec")},
      {3, "status", msg("TokenReviewStatus")},
  });
  g.message("BoundObjectReference", {
      {1, "kind", str()},
      {2, "apiVersion", str()},
      {3, "name", str()},
      {4, "uid", str()},
  });
  g.message("SelfSubjectReviewStatus", {
      {1, "userInfo", msg("UserInfo")},
  });
  g.message("TokenRequestSpec", {
      {1, "audiences", listOf(str()).always()},
      {4, "expirationSeconds", i64().pointer().always()},
      {3, "boundObjectRef", msg("BoundObjectReference").pointer().always()},
  });
  g.message("TokenRequestStatus", {
      {1, "token", str().always()},
      {2, "expirationTimestamp", metaTime()},
  });
  g.message("TokenReviewSpec", {
      {1, "token", str()},
      {2, "audiences", listOf(str())},
  });
  g.message("TokenReviewStatus", {
      {1, "authenticated", boolean()},
      {2, "user", msg("UserInfo")},
      {4, "audiences", listOf(str())},
      {3, "error", str()},
  });
  g.message("UserInfo", {
      {1, "username", str()},
      {2, "uid", str()},
      {3, "groups", listOf(str())},
      {4, "extra", mapOf(stringList())},
  });
}

}  // namespace kcpp::protobuf
