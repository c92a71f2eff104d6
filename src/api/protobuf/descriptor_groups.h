#pragma once
// The built-in descriptor tables, one function per API group (or part of one),
// each defined in its descriptors_<group>.cpp. builtinDescriptors() calls them all.

#include "api/protobuf/descriptor_table.h"

namespace kcpp::protobuf {

void addMetaV1(DescriptorTable& table);
void addCoreV1(DescriptorTable& table);
void addCoreV1Pod(DescriptorTable& table);
void addCoreV1Container(DescriptorTable& table);
void addCoreV1Volume(DescriptorTable& table);
void addCoreV1Node(DescriptorTable& table);
void addAppsV1(DescriptorTable& table);
void addBatchV1(DescriptorTable& table);
void addRbacV1(DescriptorTable& table);
void addPolicyV1(DescriptorTable& table);
void addSchedulingV1(DescriptorTable& table);
void addNetworkingV1(DescriptorTable& table);
void addAuthenticationV1(DescriptorTable& table);
void addAuthorizationV1(DescriptorTable& table);
void addCertificatesV1(DescriptorTable& table);
void addAutoscalingV1(DescriptorTable& table);
void addAutoscalingV2(DescriptorTable& table);
void addCoordinationV1(DescriptorTable& table);
void addDiscoveryV1(DescriptorTable& table);

}  // namespace kcpp::protobuf
