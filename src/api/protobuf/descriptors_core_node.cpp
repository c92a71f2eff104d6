// Protobuf descriptors of core/v1: nodes, taints and replication controllers.
// Facts (field numbers, JSON names, pointer and omitempty) from upstream's
// generated.proto and types.go at v1.33; notation in descriptor.h.

#include "api/protobuf/descriptor_groups.h"

namespace kcpp::protobuf {

void addCoreV1Node(DescriptorTable& table) {
  auto g = table.group("core/v1", "v1");
  g.object("Node", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "spec", msg("NodeSpec")},
      {3, "status", msg("NodeStatus")},
  });
  g.object("ReplicationController", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "spec", msg("ReplicationControllerSpec")},
      {3, "status", msg("ReplicationControllerStatus")},
  });
  g.message("AttachedVolume", {
      {1, "name", str().always()},
      {2, "devicePath", str().always()},
  });
  g.message("ConfigMapNodeConfigSource", {
      {1, "namespace", str().always()},
      {2, "name", str().always()},
      {3, "uid", str()},
      {4, "resourceVersion", str()},
      {5, "kubeletConfigKey", str().always()},
  });
  g.message("ContainerImage", {
      {1, "names", listOf(str()).always()},
      {2, "sizeBytes", i64()},
  });
  g.message("DaemonEndpoint", {
      {1, "Port", i32().always()},
  });
  g.message("NodeAddress", {
      {1, "type", str().always()},
      {2, "address", str().always()},
  });
  g.message("NodeCondition", {
      {1, "type", str().always()},
      {2, "status", str().always()},
      {3, "lastHeartbeatTime", metaTime()},
      {4, "lastTransitionTime", metaTime()},
      {5, "reason", str()},
      {6, "message", str()},
  });
  g.message("NodeConfigSource", {
      {2, "configMap", msg("ConfigMapNodeConfigSource").pointer()},
  });
  g.message("NodeConfigStatus", {
      {1, "assigned", msg("NodeConfigSource").pointer()},
      {2, "active", msg("NodeConfigSource").pointer()},
      {3, "lastKnownGood", msg("NodeConfigSource").pointer()},
      {4, "error", str()},
  });
  g.message("NodeDaemonEndpoints", {
      {1, "kubeletEndpoint", msg("DaemonEndpoint")},
  });
  g.message("NodeFeatures", {
      {1, "supplementalGroupsPolicy", boolean().pointer()},
  });
  g.message("NodeRuntimeHandler", {
      {1, "name", str().always()},
      {2, "features", msg("NodeRuntimeHandlerFeatures").pointer()},
  });
  g.message("NodeRuntimeHandlerFeatures", {
      {1, "recursiveReadOnlyMounts", boolean().pointer()},
      {2, "userNamespaces", boolean().pointer()},
  });
  g.message("NodeSpec", {
      {1, "podCIDR", str()},
      {7, "podCIDRs", listOf(str())},
      {3, "providerID", str()},
      {4, "unschedulable", boolean()},
      {5, "taints", listOf(msg("Taint"))},
      {6, "configSource", msg("NodeConfigSource").pointer()},
      {2, "externalID", str()},
  });
  g.message("NodeStatus", {
      {1, "capacity", mapOf(quantity())},
      {2, "allocatable", mapOf(quantity())},
      {3, "phase", str()},
      {4, "conditions", listOf(msg("NodeCondition"))},
      {5, "addresses", listOf(msg("NodeAddress"))},
      {6, "daemonEndpoints", msg("NodeDaemonEndpoints")},
      {7, "nodeInfo", msg("NodeSystemInfo")},
      {8, "images", listOf(msg("ContainerImage"))},
      {9, "volumesInUse", listOf(str())},
      {10, "volumesAttached", listOf(msg("AttachedVolume"))},
      {11, "config", msg("NodeConfigStatus").pointer()},
      {12, "runtimeHandlers", listOf(msg("NodeRuntimeHandler"))},
      {13, "features", msg("NodeFeatures").pointer()},
  });
  g.message("NodeSwapStatus", {
      {1, "capacity", i64().pointer()},
  });
  g.message("NodeSystemInfo", {
      {1, "machineID", str().always()},
      {2, "systemUUID", str().always()},
      {3, "bootID", str().always()},
      {4, "kernelVersion", str().always()},
      {5, "osImage", str().always()},
      {6, "containerRuntimeVersion", str().always()},
      {7, "kubeletVersion", str().always()},
      {8, "kubeProxyVersion", str().always()},
      {9, "operatingSystem", str().always()},
      {10, "architecture", str().always()},
      {11, "swap", msg("NodeSwapStatus").pointer()},
  });
  g.message("ReplicationControllerCondition", {
      {1, "type", str().always()},
      {2, "status", str().always()},
      {3, "lastTransitionTime", metaTime()},
      {4, "reason", str()},
      {5, "message", str()},
  });
  g.message("ReplicationControllerSpec", {
      {1, "replicas", i32().pointer()},
      {4, "minReadySeconds", i32()},
      {2, "selector", mapOf(str())},
      {3, "template", msg("PodTemplateSpec").pointer()},
  });
  g.message("ReplicationControllerStatus", {
      {1, "replicas", i32().always()},
      {2, "fullyLabeledReplicas", i32()},
      {4, "readyReplicas", i32()},
      {5, "availableReplicas", i32()},
      {3, "observedGeneration", i64()},
      {6, "conditions", listOf(msg("ReplicationControllerCondition"))},
  });
  g.message("Taint", {
      {1, "key", str().always()},
      {2, "value", str()},
      {3, "effect", str().always()},
      {4, "timeAdded", metaTime().pointer()},
  });
}

}  // namespace kcpp::protobuf
