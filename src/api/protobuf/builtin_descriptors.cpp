#include "api/protobuf/descriptor_groups.h"

namespace kcpp::protobuf {

namespace {

DescriptorTable buildBuiltinDescriptors() {
  DescriptorTable table;
  for (auto add : {addMetaV1, addCoreV1, addCoreV1Pod, addCoreV1Container, addCoreV1Volume,
                   addCoreV1Node, addAppsV1, addBatchV1, addRbacV1, addPolicyV1, addSchedulingV1,
                   addNetworkingV1, addAuthenticationV1, addAuthorizationV1, addCertificatesV1,
                   addAutoscalingV1, addAutoscalingV2, addCoordinationV1, addDiscoveryV1}) {
    add(table);
  }
  table.link();
  return table;
}

}  // namespace

const DescriptorTable& builtinDescriptors() {
  // Immutable once built: a constant table, not shared mutable state.
  static const DescriptorTable table = buildBuiltinDescriptors();
  return table;
}

}  // namespace kcpp::protobuf
