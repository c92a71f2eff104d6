// Protobuf descriptors of scheduling.k8s.io/v1: priority classes.
// Facts (field numbers, JSON names, pointer and omitempty) from upstream's
// generated.proto and types.go at v1.33; notation in descriptor.h.

#include "api/protobuf/descriptor_groups.h"

namespace kcpp::protobuf {

void addSchedulingV1(DescriptorTable& table) {
  auto g = table.group("scheduling/v1", "scheduling.k8s.io/v1");
  g.object("PriorityClass", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "value", i32().always()},
      {3, "globalDefault", boolean()},
      {4, "description", str()},
      {5, "preemptionPolicy", str().pointer()},
  });
}

}  // namespace kcpp::protobuf
