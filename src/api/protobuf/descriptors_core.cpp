// Protobuf descriptors of core/v1: namespaces, config maps, secrets, service accounts,
// quotas, limit ranges, services, endpoints, events, bindings.
// Facts (field numbers, JSON names, pointer and omitempty) from upstream's
// generated.proto and types.go at v1.33; notation in descriptor.h.

#include "api/protobuf/descriptor_groups.h"

namespace kcpp::protobuf {

void addCoreV1(DescriptorTable& table) {
  auto g = table.group("core/v1", "v1");
  g.object("Binding", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "target", msg("ObjectReference")},
  });
  g.object("ConfigMap", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {4, "immutable", boolean().pointer()},
      {2, "data", mapOf(str())},
      {3, "binaryData", mapOf(bytes())},
  });
  g.object("Endpoints", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "subsets", listOf(msg("EndpointSubset"))},
  });
  g.object("Event", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "involvedObject", msg("ObjectReference")},
      {3, "reason", str()},
      {4, "message", str()},
      {5, "source", msg("EventSource")},
      {6, "firstTimestamp", metaTime()},
      {7, "lastTimestamp", metaTime()},
      {8, "count", i32()},
      {9, "type", str()},
      {10, "eventTime", microTime()},
      {11, "series", msg("EventSeries").pointer()},
      {12, "action", str()},
      {13, "related", msg("ObjectReference").pointer()},
      {14, "reportingComponent", str().always()},
      {15, "reportingInstance", str().always()},
  });
  g.object("LimitRange", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "spec", msg("LimitRangeSpec")},
  });
  g.object("Namespace", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "spec", msg("NamespaceSpec")},
      {3, "status", msg("NamespaceStatus")},
  });
  g.object("ResourceQuota", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "spec", msg("ResourceQuotaSpec")},
      {3, "status", msg("ResourceQuotaStatus")},
  });
  g.object("Secret", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {5, "immutable", boolean().pointer()},
      {2, "data", mapOf(bytes())},
      {4, "stringData", mapOf(str())},
      {3, "type", str()},
  });
  g.object("Service", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "spec", msg("ServiceSpec")},
      {3, "status", msg("ServiceStatus")},
  });
  g.object("ServiceAccount", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "secrets", listOf(msg("ObjectReference"))},
      {3, "imagePullSecrets", listOf(msg("LocalObjectReference"))},
      {4, "automountServiceAccountToken", boolean().pointer()},
  });
  g.message("ClientIPConfig", {
      {1, "timeoutSeconds", i32().pointer()},
  });
  g.message("EndpointAddress", {
      {1, "ip", str().always()},
      {3, "hostname", str()},
      {4, "nodeName", str().pointer()},
      {2, "targetRef", msg("ObjectReference").pointer()},
  });
  g.message("EndpointPort", {
      {1, "name", str()},
      {2, "port", i32().always()},
      {3, "protocol", str()},
      {4, "appProtocol", str().pointer()},
  });
  g.message("EndpointSubset", {
      {1, "addresses", listOf(msg("EndpointAddress"))},
      {2, "notReadyAddresses", listOf(msg("EndpointAddress"))},
      {3, "ports", listOf(msg("EndpointPort"))},
  });
  g.message("EventSeries", {
      {1, "count", i32()},
      {2, "lastObservedTime", microTime()},
  });
  g.message("EventSource", {
      {1, "component", str()},
      {2, "host", str()},
  });
  g.message("LimitRangeItem", {
      {1, "type", str().always()},
      {2, "max", mapOf(quantity())},
      {3, "min", mapOf(quantity())},
      {4, "default", mapOf(quantity())},
      {5, "defaultRequest", mapOf(quantity())},
      {6, "maxLimitRequestRatio", mapOf(quantity())},
  });
  g.message("LimitRangeSpec", {
      {1, "limits", listOf(msg("LimitRangeItem")).always()},
  });
  g.message("LoadBalancerIngress", {
      {1, "ip", str()},
      {2, "hostname", str()},
      {3, "ipMode", str().pointer()},
      {4, "ports", listOf(msg("PortStatus"))},
  });
  g.message("LoadBalancerStatus", {
      {1, "ingress", listOf(msg("LoadBalancerIngress"))},
  });
  g.message("LocalObjectReference", {
      {1, "name", str()},
  });
  g.message("NamespaceCondition", {
      {1, "type", str().always()},
      {2, "status", str().always()},
      {4, "lastTransitionTime", metaTime()},
      {5, "reason", str()},
      {6, "message", str()},
  });
  g.message("NamespaceSpec", {
      {1, "finalizers", listOf(str())},
  });
  g.message("NamespaceStatus", {
      {1, "phase", str()},
      {2, "conditions", listOf(msg("NamespaceCondition"))},
  });
  g.message("ObjectReference", {
      {1, "kind", str()},
      {2, "namespace", str()},
      {3, "name", str()},
      {4, "uid", str()},
      {5, "apiVersion", str()},
      {6, "resourceVersion", str()},
      {7, "fieldPath", str()},
  });
  g.message("PortStatus", {
      {1, "port", i32().always()},
      {2, "protocol", str().always()},
      {3, "error", str().pointer()},
  });
  g.message("ResourceQuotaSpec", {
      {1, "hard", mapOf(quantity())},
      {2, "scopes", listOf(str())},
      {3, "scopeSelector", msg("ScopeSelector").pointer()},
  });
  g.message("ResourceQuotaStatus", {
      {1, "hard", mapOf(quantity())},
      {2, "used", mapOf(quantity())},
  });
  g.message("ScopeSelector", {
      {1, "matchExpressions", listOf(msg("ScopedResourceSelectorRequirement"))},
  });
  g.message("ScopedResourceSelectorRequirement", {
      {1, "scopeName", str().always()},
      {2, "operator", str().always()},
      {3, "values", listOf(str())},
  });
  g.message("ServicePort", {
      {1, "name", str()},
      {2, "protocol", str()},
      {6, "appProtocol", str().pointer()},
      {3, "port", i32().always()},
      {4, "targetPort", intOrString()},
      {5, "nodePort", i32()},
  });
  g.message("ServiceSpec", {
      {1, "ports", listOf(msg("ServicePort"))},
      {2, "selector", mapOf(str())},
      {3, "clusterIP", str()},
      {18, "clusterIPs", listOf(str())},
      {4, "type", str()},
      {5, "externalIPs", listOf(str())},
      {7, "sessionAffinity", str()},
      {8, "loadBalancerIP", str()},
      {9, "loadBalancerSourceRanges", listOf(str())},
      {10, "externalName", str()},
      {11, "externalTrafficPolicy", str()},
      {12, "healthCheckNodePort", i32()},
      {13, "publishNotReadyAddresses", boolean()},
      {14, "sessionAffinityConfig", msg("SessionAffinityConfig").pointer()},
      {19, "ipFamilies", listOf(str())},
      {17, "ipFamilyPolicy", str().pointer()},
      {20, "allocateLoadBalancerNodePorts", boolean().pointer()},
      {21, "loadBalancerClass", str().pointer()},
      {22, "internalTrafficPolicy", str().pointer()},
      {23, "trafficDistribution", str().pointer()},
  });
  g.message("ServiceStatus", {
      {1, "loadBalancer", msg("LoadBalancerStatus")},
      {2, "conditions", listOf(msg("meta/v1.Condition"))},
  });
  g.message("SessionAffinityConfig", {
      {1, "clientIP", msg("ClientIPConfig").pointer()},
  });
}

}  // namespace kcpp::protobuf
