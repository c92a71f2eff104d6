// Protobuf descriptors of coordination.k8s.io/v1: leases.
// Facts (field numbers, JSON names, pointer and omitempty) from upstream's
// generated.proto and types.go at v1.33; notation in descriptor.h.

#include "api/protobuf/descriptor_groups.h"

namespace kcpp::protobuf {

void addCoordinationV1(DescriptorTable& table) {
  auto g = table.group("coordination/v1", "coordination.k8s.io/v1");
  g.object("Lease", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "spec", msg("LeaseSpec")},
  });
  g.message("LeaseSpec", {
      {1, "holderIdentity", str().pointer()},
      {2, "leaseDurationSeconds", i32().pointer()},
      {3, "acquireTime", microTime().pointer()},
      {4, "renewTime", microTime().pointer()},
      {5, "leaseTransitions", i32().pointer()},
      {6, "strategy", str().pointer()},
      {7, "preferredHolder", str().pointer()},
  });
}

}  // namespace kcpp::protobuf
