// Protobuf descriptors of certificates.k8s.io/v1: certificate signing requests.
// Facts (field numbers, JSON names, pointer and omitempty) from upstream's
// generated.proto and types.go at v1.33; notation in descriptor.h.

#include "api/protobuf/descriptor_groups.h"

namespace kcpp::protobuf {

void addCertificatesV1(DescriptorTable& table) {
  auto g = table.group("certificates/v1", "certificates.k8s.io/v1");
  g.object("CertificateSigningRequest", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "spec", msg("CertificateSigningRequestSpec")},
      {3, "status", msg("CertificateSigningRequestStatus")},
  });
  g.message("CertificateSigningRequestCondition", {
      {1, "type", str().always()},
      {6, "status", str().always()},
      {2, "reason", str()},
      {3, "message", str()},
      {4, "lastUpdateTime", metaTime()},
      {5, "lastTransitionTime", metaTime()},
  });
  g.message("CertificateSigningRequestSpec", {
      {1, "request", bytes().always()},
      {7, "signerName", str().always()},
      {8, "expirationSeconds", i32().pointer()},
      {5, "usages", listOf(str())},
      {2, "username", str()},
      {3, "uid", str()},
      {4, "groups", listOf(str())},
      {6, "extra", mapOf(stringList())},
  });
  g.message("CertificateSigningRequestStatus", {
      {1, "conditions", listOf(msg("CertificateSigningRequestCondition"))},
      {2, "certificate", bytes()},
  });
}

}  // namespace kcpp::protobuf
