// Protobuf descriptors of core/v1: pods, pod templates, scheduling constraints
// (affinity, tolerations, spread) and pod status.
// Facts (field numbers, JSON names, pointer and omitempty) from upstream's
// generated.proto and types.go at v1.33; notation in descriptor.h.

#include "api/protobuf/descriptor_groups.h"

namespace kcpp::protobuf {

void addCoreV1Pod(DescriptorTable& table) {
  auto g = table.group("core/v1", "v1");
  g.object("Pod", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "spec", msg("PodSpec")},
      {3, "status", msg("PodStatus")},
  });
  g.object("PodTemplate", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "template", msg("PodTemplateSpec")},
  });
  g.message("Affinity", {
      {1, "nodeAffinity", msg("NodeAffinity").pointer()},
      {2, "podAffinity", msg("PodAffinity").pointer()},
      {3, "podAntiAffinity", msg("PodAntiAffinity").pointer()},
  });
  g.message("HostAlias", {
      {1, "ip", str().always()},
      {2, "hostnames", listOf(str())},
  });
  g.message("HostIP", {
      {1, "ip", str().always()},
  });
  g.message("NodeAffinity", {
      {1, "requiredDuringSchedulingIgnoredDuringExecution", msg("NodeSelector").pointer()},
      {2, "preferredDuringSchedulingIgnoredDuringExecution",
       listOf(msg("PreferredSchedulingTerm"))},
  });
  g.message("NodeSelector", {
      {1, "nodeSelectorTerms", listOf(msg("NodeSelectorTerm")).always()},
  });
  g.message("NodeSelectorRequirement", {
      {1, "key", str().always()},
      {2, "operator", str().always()},
      {3, "values", listOf(str())},
  });
  g.message("NodeSelectorTerm", {
      {1, "matchExpressions", listOf(msg("NodeSelectorRequirement"))},
      {2, "matchFields", listOf(msg("NodeSelectorRequirement"))},
  });
  g.message("PodAffinity", {
      {1, "requiredDuringSchedulingIgnoredDuringExecution", listOf(msg("PodAffinityTerm"))},
      {2, "preferredDuringSchedulingIgnoredDuringExecution",
       listOf(msg("WeightedPodAffinityTerm"))},
  });
  g.message("PodAffinityTerm", {
      {1, "labelSelector", msg("meta/v1.LabelSelector").pointer()},
      {2, "namespaces", listOf(str())},
      {3, "topologyKey", str().always()},
      {4, "namespaceSelector", msg("meta/v1.LabelSelector").pointer()},
      {5, "matchLabelKeys", listOf(str())},
      {6, "mismatchLabelKeys", listOf(str())},
  });
  g.message("PodAntiAffinity", {
      {1, "requiredDuringSchedulingIgnoredDuringExecution", listOf(msg("PodAffinityTerm"))},
      {2, "preferredDuringSchedulingIgnoredDuringExecution",
       listOf(msg("WeightedPodAffinityTerm"))},
  });
  g.message("PodCondition", {
      {1, "type", str().always()},
      {7, "observedGeneration", i64()},
      {2, "status", str().always()},
      {3, "lastProbeTime", metaTime()},
      {4, "lastTransitionTime", metaTime()},
      {5, "reason", str()},
      {6, "message", str()},
  });
  g.message("PodDNSConfig", {
      {1, "nameservers", listOf(str())},
      {2, "searches", listOf(str())},
      {3, "options", listOf(msg("PodDNSConfigOption"))},
  });
  g.message("PodDNSConfigOption", {
      {1, "name", str()},
      {2, "value", str().pointer()},
  });
  g.message("PodIP", {
      {1, "ip", str().always()},
  });
  g.message("PodOS", {
      {1, "name", str().always()},
  });
  g.message("PodReadinessGate", {
      {1, "conditionType", str().always()},
  });
  g.message("PodResourceClaim", {
      {1, "name", str().always()},
      {3, "resourceClaimName", str().pointer()},
      {4, "resourceClaimTemplateName", str().pointer()},
  });
  g.message("PodResourceClaimStatus", {
      {1, "name", str().always()},
      {2, "resourceClaimName", str().pointer()},
  });
  g.message("PodSchedulingGate", {
      {1, "name", str().always()},
  });
  g.message("PodSecurityContext", {
      {1, "seLinuxOptions", msg("SELinuxOptions").pointer()},
      {8, "windowsOptions", msg("WindowsSecurityContextOptions").pointer()},
      {2, "runAsUser", i64().pointer()},
      {6, "runAsGroup", i64().pointer()},
      {3, "runAsNonRoot", boolean().pointer()},
      {4, "supplementalGroups", listOf(i64())},
      {12, "supplementalGroupsPolicy", str().pointer()},
      {5, "fsGroup", i64().pointer()},
      {7, "sysctls", listOf(msg("Sysctl"))},
      {9, "fsGroupChangePolicy", str().pointer()},
      {10, "seccompProfile", msg("SeccompProfile").pointer()},
      {11, "appArmorProfile", msg("AppArmorProfile").pointer()},
      {13, "seLinuxChangePolicy", str().pointer()},
  });
  g.message("PodSpec", {
      {1, "volumes", listOf(msg("Volume"))},
      {20, "initContainers", listOf(msg("Container"))},
      {2, "containers", listOf(msg("Container")).always()},
      {34, "ephemeralContainers", listOf(msg("EphemeralContainer"))},
      {3, "restartPolicy", str()},
      {4, "terminationGracePeriodSeconds", i64().pointer()},
      {5, "activeDeadlineSeconds", i64().pointer()},
      {6, "dnsPolicy", str()},
      {7, "nodeSelector", mapOf(str())},
      {8, "serviceAccountName", str()},
      {9, "serviceAccount", str()},
      {21, "automountServiceAccountToken", boolean().pointer()},
      {10, "nodeName", str()},
      {11, "hostNetwork", boolean()},
      {12, "hostPID", boolean()},
      {13, "hostIPC", boolean()},
      {27, "shareProcessNamespace", boolean().pointer()},
      {14, "securityContext", msg("PodSecurityContext").pointer()},
      {15, "imagePullSecrets", listOf(msg("LocalObjectReference"))},
      {16, "hostname", str()},
      {17, "subdomain", str()},
      {18, "affinity", msg("Affinity").pointer()},
      {19, "schedulerName", str()},
      {22, "tolerations", listOf(msg("Toleration"))},
      {23, "hostAliases", listOf(msg("HostAlias"))},
      {24, "priorityClassName", str()},
      {25, "priority", i32().pointer()},
      {26, "dnsConfig", msg("PodDNSConfig").pointer()},
      {28, "readinessGates", listOf(msg("PodReadinessGate"))},
      {29, "runtimeClassName", str().pointer()},
      {30, "enableServiceLinks", boolean().pointer()},
      {31, "preemptionPolicy", str().pointer()},
      {32, "overhead", mapOf(quantity())},
      {33, "topologySpreadConstraints", listOf(msg("TopologySpreadConstraint"))},
      {35, "setHostnameAsFQDN", boolean().pointer()},
      {36, "os", msg("PodOS").pointer()},
      {37, "hostUsers", boolean().pointer()},
      {38, "schedulingGates", listOf(msg("PodSchedulingGate"))},
      {39, "resourceClaims", listOf(msg("PodResourceClaim"))},
      {40, "resources", msg("ResourceRequirements").pointer()},
  });
  g.message("PodStatus", {
      {17, "observedGeneration", i64()},
      {1, "phase", str()},
      {2, "conditions", listOf(msg("PodCondition"))},
      {3, "message", str()},
      {4, "reason", str()},
      {11, "nominatedNodeName", str()},
      {5, "hostIP", str()},
      {16, "hostIPs", listOf(msg("HostIP"))},
      {6, "podIP", str()},
      {12, "podIPs", listOf(msg("PodIP"))},
      {7, "startTime", metaTime().pointer()},
      {10, "initContainerStatuses", listOf(msg("ContainerStatus"))},
      {8, "containerStatuses", listOf(msg("ContainerStatus"))},
      {9, "qosClass", str()},
      {13, "ephemeralContainerStatuses", listOf(msg("ContainerStatus"))},
      {14, "resize", str()},
      {15, "resourceClaimStatuses", listOf(msg("PodResourceClaimStatus"))},
  });
  g.message("PodTemplateSpec", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "spec", msg("PodSpec")},
  });
  g.message("PreferredSchedulingTerm", {
      {1, "weight", i32().always()},
      {2, "preference", msg("NodeSelectorTerm")},
  });
  g.message("Sysctl", {
      {1, "name", str().always()},
      {2, "value", str().always()},
  });
  g.message("Toleration", {
      {1, "key", str()},
      {2, "operator", str()},
      {3, "value", str()},
      {4, "effect", str()},
      {5, "tolerationSeconds", i64().pointer()},
  });
  g.message("TopologySpreadConstraint", {
      {1, "maxSkew", i32().always()},
      {2, "topologyKey", str().always()},
      {3, "whenUnsatisfiable", str().always()},
      {4, "labelSelector", msg("meta/v1.LabelSelector").pointer()},
      {5, "minDomains", i32().pointer()},
      {6, "nodeAffinityPolicy", str().pointer()},
      {7, "nodeTaintsPolicy", str().pointer()},
      {8, "matchLabelKeys", listOf(str())},
  });
  g.message("WeightedPodAffinityTerm", {
      {1, "weight", i32().always()},
      {2, "podAffinityTerm", msg("PodAffinityTerm")},
  });
}

}  // namespace kcpp::protobuf
