// Protobuf descriptors of networking.k8s.io/v1: ingresses, ingress classes, network
// policies.
// Facts (field numbers, JSON names, pointer and omitempty) from upstream's
// generated.proto and types.go at v1.33; notation in descriptor.h.

#include "api/protobuf/descriptor_groups.h"

namespace kcpp::protobuf {

void addNetworkingV1(DescriptorTable& table) {
  auto g = table.group("networking/v1", "networking.k8s.io/v1");
  g.object("Ingress", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "spec", msg("IngressSpec")},
      {3, "status", msg("IngressStatus")},
  });
  g.object("IngressClass", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "spec", msg("IngressClassSpec")},
  });
  g.object("NetworkPolicy", {
      {1, "metadata", msg("meta/v1.ObjectMeta")},
      {2, "spec", msg("NetworkPolicySpec")},
  });
  g.message("HTTPIngressPath", {
      {1, "path", str()},
      {3, "pathType", str().pointer().always()},
      {2, "backend", msg("IngressBackend")},
  });
  g.message("HTTPIngressRuleValue", {
      {1, "paths", listOf(msg("HTTPIngressPath")).always()},
  });
  g.message("IPBlock", {
      {1, "cidr", str().always()},
      {2, "except", listOf(str())},
  });
  g.message("IngressBackend", {
      {4, "service", msg("IngressServiceBackend").pointer()},
      {3, "resource", msg("core/v1.TypedLocalObjectReference").pointer()},
  });
  g.message("IngressClassParametersReference", {
      {1, "apiGroup", str().pointer()},
      {2, "kind", str().always()},
      {3, "name", str().always()},
      {4, "scope", str().pointer().always()},
      {5, "namespace", str().pointer()},
  });
  g.message("IngressClassSpec", {
      {1, "controller", str()},
      {2, "parameters", msg("IngressClassParametersReference").pointer()},
  });
  g.message("IngressLoadBalancerIngress", {
      {1, "ip", str()},
      {2, "hostname", str()},
      {4, "ports", listOf(msg("IngressPortStatus"))},
  });
  g.message("IngressLoadBalancerStatus", {
      {1, "ingress", listOf(msg("IngressLoadBalancerIngress"))},
  });
  g.message("IngressPortStatus", {
      {1, "port", i32().always()},
      {2, "protocol", str().always()},
      {3, "error", str().pointer()},
  });
  g.message("IngressRule", {
      {1, "host", str()},
      {2, "", msg("IngressRuleValue").inlined()},
  });
  g.message("IngressRuleValue", {
      {1, "http", msg("HTTPIngressRuleValue").pointer()},
  });
  g.message("IngressServiceBackend", {
      {1, "name", str().always()},
      {2, "port", msg("ServiceBackendPort")},
  });
  g.message("IngressSpec", {
      {4, "ingressClassName", str().pointer()},
      {1, "defaultBackend", msg("IngressBackend").pointer()},
      {2, "tls", listOf(msg("IngressTLS"))},
      {3, "rules", listOf(msg("IngressRule"))},
  });
  g.message("IngressStatus", {
      {1, "loadBalancer", msg("IngressLoadBalancerStatus")},
  });
  g.message("IngressTLS", {
      {1, "hosts", listOf(str())},
      {2, "secretName", str()},
  });
  g.message("NetworkPolicyEgressRule", {
      {1, "ports", listOf(msg("NetworkPolicyPort"))},
      {2, "to", listOf(msg("NetworkPolicyPeer"))},
  });
  g.message("NetworkPolicyIngressRule", {
      {1, "ports", listOf(msg("NetworkPolicyPort"))},
      {2, "from", listOf(msg("NetworkPolicyPeer"))},
  });
  g.message("NetworkPolicyPeer", {
      {1, "podSelector", msg("meta/v1.LabelSelector").pointer()},
      {2, "namespaceSelector", msg("meta/v1.LabelSelector").pointer()},
      {3, "ipBlock", msg("IPBlock").pointer()},
  });
  g.message("NetworkPolicyPort", {
      {1, "protocol", str().pointer()},
      {2, "port", intOrString().pointer()},
      {3, "endPort", i32().pointer()},
  });
  g.message("NetworkPolicySpec", {
      {1, "podSelector", msg("meta/v1.LabelSelector")},
      {2, "ingress", listOf(msg("NetworkPolicyIngressRule"))},
      {3, "egress", listOf(msg("NetworkPolicyEgressRule"))},
      {4, "policyTypes", listOf(str())},
  });
  g.message("ServiceBackendPort", {
      {1, "name", str()},
      {2, "number", i32()},
  });
}

}  // namespace kcpp::protobuf
