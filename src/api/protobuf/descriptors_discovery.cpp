// Protobuf descriptors of discovery.k8s.io/v1: endpoint slices.
// Facts (field numbers, JSON names, pointer and omitempty) from upstream's
// generated.proto and types.go at v1.33; notation in descriptor.h.

#include "api/protobuf/descriptor_groups.h"

namespace kcpp::protobuf {

void addDiscoveryV1(DescriptorTable& table) {
  auto g = table.group("discovery/v1", "discovery.k8s.io/v1");
  g.object("EndpointSlice", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {4, "addressType", str().always()},
      {2, "endpoints", listOf(msg("Endpoint")).always()},
      {3, "ports", listOf(msg("EndpointPort")).always()},
  });
  g.message("Endpoint", {
      {1, "addresses", listOf(str()).always()},
      {2, "conditions", msg("EndpointConditions")},
      {3, "hostname", str().pointer()},
      {4, "targetRef", msg("core/v1.ObjectReference").pointer()},
      {5, "deprecatedTopology", mapOf(str())},
      {6, "nodeName", str().pointer()},
      {7, "zone", str().pointer()},
      {8, "hints", msg("EndpointHints").pointer()},
  });
  g.message("EndpointConditions", {
      {1, "ready", boolean().pointer()},
      {2, "serving", boolean().pointer()},
      {3, "terminating", boolean().pointer()},
  });
  g.message("EndpointHints", {
      {1, "forZones", listOf(msg("ForZone"))},
      {2, "forNodes", listOf(msg("ForNode"))},
  });
  g.message("EndpointPort", {
      {1, "name", str().pointer()},
      {2, "protocol", str().pointer()},
      {3, "port", i32().pointer()},
      {4, "appProtocol", str().pointer()},
  });
  g.message("ForNode", {
      {1, "name", str().always()},
  });
  g.message("ForZone", {
      {1, "name", str().always()},
  });
}

}  // namespace kcpp::protobuf
