// Core-group columns: services, endpoints, nodes, namespaces, configmaps,
// secrets, serviceaccounts, replicationcontrollers and resourcequotas, as
// upstream's printService, printEndpoints, printNode, ... (events are in
// table_events.cpp, pods in table_pods.cpp, volumes in table_volumes.cpp).

#include <algorithm>
#include <set>

#include "apiserver/handlers/table_columns.h"

namespace kcpp::apiserver::table {

namespace {

// --- services ----------------------------------------------------------------------

std::string clusterIP(const json::object& svc) {
  const json::array& ips = arr(svc, "spec.clusterIPs");
  if (!ips.empty() && ips[0].is_string()) return std::string(ips[0].get_string());
  return strOr(svc, "spec.clusterIP", "<none>");
}

// loadBalancerStatusStringer (wide): the distinct ingress IPs or hostnames, sorted.
std::vector<std::string> loadBalancerAddresses(const json::object& o, std::string_view path) {
  std::set<std::string> addresses;
  for (const json::value& v : arr(o, path)) {
    std::string ip = str(asObject(v), "ip");
    std::string host = str(asObject(v), "hostname");
    if (!ip.empty()) addresses.insert(ip);
    else if (!host.empty()) addresses.insert(host);
  }
  return {addresses.begin(), addresses.end()};
}

std::vector<std::string> strings(const json::array& values) {
  std::vector<std::string> out;
  for (const json::value& v : values) {
    out.push_back(v.is_string() ? std::string(v.get_string()) : "");
  }
  return out;
}

// Absent fields read as upstream's defaults: type ClusterIP, protocol TCP.
std::string serviceType(const json::object& svc) { return strOr(svc, "spec.type", "ClusterIP"); }

std::string externalIP(const json::object& svc) {
  std::string type = serviceType(svc);
  std::vector<std::string> external = strings(arr(svc, "spec.externalIPs"));
  if (type == "ClusterIP" || type == "NodePort") {
    return external.empty() ? "<none>" : join(external, ",");
  }
  if (type == "LoadBalancer") {
    std::vector<std::string> all = loadBalancerAddresses(svc, "status.loadBalancer.ingress");
    if (all.empty() && external.empty()) return "<pending>";
    all.insert(all.end(), external.begin(), external.end());
    return join(all, ",");
  }
  if (type == "ExternalName") return str(svc, "spec.externalName");
  return "<unknown>";
}

std::string servicePorts(const json::object& svc) {
  std::vector<std::string> pieces;
  for (const json::value& v : arr(svc, "spec.ports")) {
    const json::object& p = asObject(v);
    std::string protocol = strOr(p, "protocol", "TCP");
    std::string piece = std::to_string(num(p, "port"));
    if (num(p, "nodePort") > 0) piece += ":" + std::to_string(num(p, "nodePort"));
    pieces.push_back(piece + "/" + protocol);
  }
  return pieces.empty() ? "<none>" : join(pieces, ",");
}

Printer servicePrinter() {
  return {{nameColumn(),
           textColumn("Type",
                      "type determines how the Service is exposed. Defaults to ClusterIP. Valid "
                      "options are ExternalName, ClusterIP, NodePort, and LoadBalancer. "
                      "\"ClusterIP\" allocates a cluster-internal IP address for load-balancing "
                      "to endpoints. Endpoints are determined by the selector or if that is not "
                      "specified, by manual construction of an Endpoints object or EndpointSlice "
                      "objects. If clusterIP is \"None\", no virtual IP is allocated and the "
                      "endpoints are published as a set of endpoints rather than a virtual IP. "
                      "\"NodePort\" builds on ClusterIP and allocates a port on every node which "
                      "routes to the same endpoints as the clusterIP. \"LoadBalancer\" builds on "
                      "NodePort and creates an external load-balancer (if supported in the "
                      "current cloud) which routes to the same endpoints as the clusterIP. "
                      "\"ExternalName\" aliases this service to the specified externalName. "
                      "Several other fields do not apply to ExternalName services. More info: "
                      "https://kubernetes.io/docs/concepts/services-networking/service/"
                      "#publishing-services-service-types",
                      serviceType),
           textColumn("Cluster-IP",
                      "clusterIP is the IP address of the service and is usually assigned "
                      "randomly. If an address is specified manually, is in-range (as per system "
                      "configuration), and is not in use, it will be allocated to the service; "
                      "otherwise creation of the service will fail. This field may not be "
                      "changed through updates unless the type field is also being changed to "
                      "ExternalName (which requires this field to be blank) or the type field is "
                      "being changed from ExternalName (in which case this field may optionally "
                      "be specified, as describe above).  Valid values are \"None\", empty string "
                      "(\"\"), or a valid IP address. Setting this to \"None\" makes a \"headless "
                      "service\" (no virtual IP), which is useful when direct endpoint "
                      "connections are preferred and proxying is not required.  Only applies to "
                      "types ClusterIP, NodePort, and LoadBalancer. If this field is specified "
                      "when creating a Service of type ExternalName, creation will fail. This "
                      "field will be wiped when updating a Service to type ExternalName. More "
                      "info: https://kubernetes.io/docs/concepts/services-networking/service/"
                      "#virtual-ips-and-service-proxies",
                      clusterIP),
           textColumn("External-IP",
                      "externalIPs is a list of IP addresses for which nodes in the cluster will "
                      "also accept traffic for this service.  These IPs are not managed by "
                      "Kubernetes.  The user is responsible for ensuring that traffic arrives at "
                      "a node with this IP.  A common example is external load-balancers that "
                      "are not part of the Kubernetes system.",
                      externalIP),
           textColumn("Port(s)",
                      "The list of ports that are exposed by this service. More info: "
                      "https://kubernetes.io/docs/concepts/services-networking/service/"
                      "#virtual-ips-and-service-proxies",
                      servicePorts),
           ageColumn(),
           textColumn("Selector",
                      "Route service traffic to pods with label keys and values matching this "
                      "selector. If empty or not present, the service is assumed to have an "
                      "external process managing its endpoints, which Kubernetes will not "
                      "modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. "
                      "Ignored if type is ExternalName. More info: "
                      "https://kubernetes.io/docs/concepts/services-networking/service/",
                      [](const json::object& o) { return formatLabels(obj(o, "spec.selector")); },
                      1)},
          nullptr};
}

// --- endpoints -----------------------------------------------------------------------

std::string hostPort(const std::string& ip, std::int64_t port) {
  bool v6 = ip.find(':') != std::string::npos;
  return (v6 ? "[" + ip + "]" : ip) + ":" + std::to_string(port);
}

// formatEndpoints: at most three "ip:port" entries, then " + N more...".
std::string formatEndpoints(const json::object& ep) {
  const json::array& subsets = arr(ep, "subsets");
  if (subsets.empty()) return "<none>";
  const std::size_t max = 3;
  std::vector<std::string> list;
  std::size_t count = 0;
  bool more = false;
  auto addAll = [&](const json::array& addresses, std::optional<std::int64_t> port) {
    count += addresses.size();
    for (const json::value& a : addresses) {
      if (list.size() == max) {
        more = true;
        break;
      }
      std::string ip = str(asObject(a), "ip");
      list.push_back(port ? hostPort(ip, *port) : ip);
    }
  };
  for (const json::value& v : subsets) {
    const json::object& ss = asObject(v);
    const json::array& ports = arr(ss, "ports");
    if (ports.empty()) addAll(arr(ss, "addresses"), std::nullopt);
    for (const json::value& p : ports) addAll(arr(ss, "addresses"), num(asObject(p), "port"));
  }
  std::string out = join(list, ",");
  if (more) out += " + " + std::to_string(count - max) + " more...";
  return out;
}

Printer endpointsPrinter() {
  return {{nameColumn(),
           textColumn("Endpoints",
                      "The set of all endpoints is the union of all subsets. Addresses are "
                      "placed into subsets according to the IPs they share. A single address "
                      "with multiple ports, some of which are ready and some of which are not "
                      "(because they come from different containers) will result in the address "
                      "being displayed in different subsets for the different ports. No address "
                      "will appear in both Addresses and NotReadyAddresses in the same subset. "
                      "Sets of addresses and ports that comprise a service.",
                      formatEndpoints),
           ageColumn()},
          nullptr};
}

// --- nodes ---------------------------------------------------------------------------

std::string nodeStatus(const json::object& node) {
  std::vector<std::string> status;
  for (const json::value& v : arr(node, "status.conditions")) {
    if (str(asObject(v), "type") != "Ready") continue;
    status = {str(asObject(v), "status") == "True" ? "Ready" : "NotReady"};
  }
  if (status.empty()) status.push_back("Unknown");
  if (flag(node, "spec.unschedulable")) status.push_back("SchedulingDisabled");
  return join(status, ",");
}

// findNodeRoles: node-role.kubernetes.io/<role> labels and kubernetes.io/role=<role>.
std::string nodeRoles(const json::object& node) {
  const std::string_view prefix = "node-role.kubernetes.io/";
  std::set<std::string> roles;
  for (const auto& kv : obj(node, "metadata.labels")) {
    std::string_view key = kv.key();
    std::string value = kv.value().is_string() ? std::string(kv.value().get_string()) : "";
    if (key.substr(0, prefix.size()) == prefix) {
      if (key.size() > prefix.size()) roles.insert(std::string(key.substr(prefix.size())));
    } else if (key == "kubernetes.io/role" && !value.empty()) {
      roles.insert(value);
    }
  }
  return roles.empty() ? "<none>" : join({roles.begin(), roles.end()}, ",");
}

TextFn nodeAddress(std::string type) {
  return [type = std::move(type)](const json::object& node) {
    for (const json::value& a : arr(node, "status.addresses")) {
      if (str(asObject(a), "type") == type) return str(asObject(a), "address");
    }
    return std::string("<none>");
  };
}

TextFn nodeInfo(std::string field) {
  return [path = "status.nodeInfo." + field](const json::object& node) {
    return strOr(node, path, "<unknown>");
  };
}

Printer nodePrinter() {
  const char* addresses =
      "List of addresses reachable to the node. Queried from cloud provider, if available. "
      "More info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This "
      "field is declared as mergeable, but the merge key is not sufficiently unique, which can "
      "cause data corruption when it is merged. Callers should instead use a full-replacement "
      "patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that "
      "addresses can change during the lifetime of a Node. However, there are some exceptions "
      "where this may not be possible, such as Pods that inherit a Node's address in its own "
      "status or consumers of the downward API (status.hostIP).";
  return {{nameColumn(), textColumn("Status", "The status of the node", nodeStatus),
           textColumn("Roles", "The roles of the node", nodeRoles), ageColumn(),
           textColumn("Version", "Kubelet Version reported by the node.",
                      [](const json::object& o) {
                        return str(o, "status.nodeInfo.kubeletVersion");
                      }),
           textColumn("Internal-IP", addresses, nodeAddress("InternalIP"), 1),
           textColumn("External-IP", addresses, nodeAddress("ExternalIP"), 1),
           textColumn("OS-Image",
                      "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux "
                      "7 (wheezy)).",
                      nodeInfo("osImage"), 1),
           textColumn("Kernel-Version",
                      "Kernel Version reported by the node from 'uname -r' (e.g. "
                      "3.16.0-0.bpo.4-amd64).",
                      nodeInfo("kernelVersion"), 1),
           textColumn("Container-Runtime",
                      "ContainerRuntime Version reported by the node through runtime remote API "
                      "(e.g. containerd://1.4.2).",
                      nodeInfo("containerRuntimeVersion"), 1)},
          nullptr};
}

// --- small core resources --------------------------------------------------------------

std::int64_t countOf(const json::object& o, std::string_view path) {
  return static_cast<std::int64_t>(obj(o, path).size());
}

Printer namespacePrinter() {
  return {{nameColumn(),
           textColumn("Status", "The status of the namespace",
                      [](const json::object& o) { return strOr(o, "status.phase", "Active"); }),
           ageColumn()},
          nullptr};
}

Printer configMapPrinter() {
  return {{nameColumn(),
           intColumn("Data", "string",
                     "Data contains the configuration data. Each key must consist of "
                     "alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte "
                     "sequences must use the BinaryData field. The keys stored in Data must not "
                     "overlap with the keys in the BinaryData field, this is enforced during "
                     "validation process.",
                     [](const json::object& o) {
                       return countOf(o, "data") + countOf(o, "binaryData");
                     }),
           ageColumn()},
          nullptr};
}

Printer secretPrinter() {
  return {{nameColumn(),
           textColumn("Type",
                      "Used to facilitate programmatic handling of secret data. More info: "
                      "https://kubernetes.io/docs/concepts/configuration/secret/#secret-types",
                      [](const json::object& o) { return strOr(o, "type", "Opaque"); }),
           intColumn("Data", "string",
                     "Data contains the secret data. Each key must consist of alphanumeric "
                     "characters, '-', '_' or '.'. The serialized form of the secret data is a "
                     "base64 encoded string, representing the arbitrary (possibly non-string) "
                     "data value here. Described in https://tools.ietf.org/html/rfc4648#section-4",
                     [](const json::object& o) { return countOf(o, "data"); }),
           ageColumn()},
          nullptr};
}

Printer serviceAccountPrinter() {
  return {{nameColumn(),
           intColumn("Secrets", "string",
                     "Secrets is a list of the secrets in the same namespace that pods running "
                     "using this ServiceAccount are allowed to use. Pods are only limited to this "
                     "list if this service account has a "
                     "\"kubernetes.io/enforce-mountable-secrets\" annotation set to \"true\". The "
                     "\"kubernetes.io/enforce-mountable-secrets\" annotation is deprecated since "
                     "v1.32. Prefer separate namespaces to isolate access to mounted secrets. "
                     "This field should not be used to find auto-generated service account token "
                     "secrets for use outside of pods. Instead, tokens can be requested directly "
                     "using the TokenRequest API, or service account token secrets can be "
                     "manually created. More info: "
                     "https://kubernetes.io/docs/concepts/configuration/secret",
                     [](const json::object& o) {
                       return static_cast<std::int64_t>(arr(o, "secrets").size());
                     }),
           ageColumn()},
          nullptr};
}

Printer replicationControllerPrinter() {
  std::vector<Column> columns{nameColumn(),
           intColumn("Desired", "integer",
                     "Replicas is the number of desired replicas. This is a pointer to "
                     "distinguish between explicit zero and unspecified. Defaults to 1. More "
                     "info: https://kubernetes.io/docs/concepts/workloads/controllers/"
                     "replicationcontroller#what-is-a-replicationcontroller",
                     [](const json::object& o) { return num(o, "spec.replicas", 1); }),
           intColumn("Current", "integer",
                     "Replicas is the most recently observed number of replicas. More info: "
                     "https://kubernetes.io/docs/concepts/workloads/controllers/"
                     "replicationcontroller#what-is-a-replicationcontroller",
                     [](const json::object& o) { return num(o, "status.replicas"); }),
           intColumn("Ready", "integer",
                     "The number of ready replicas for this replication controller.",
                     [](const json::object& o) { return num(o, "status.readyReplicas"); }),
           ageColumn()};
  addTemplateColumns(columns, "spec.template.spec.containers");
  columns.push_back(textColumn("Selector",
                      "Selector is a label query over pods that should match the Replicas "
                      "count. If Selector is empty, it is defaulted to the labels present on the "
                      "Pod template. Label keys and values that must match in order to be "
                      "controlled by this replication controller, if empty defaulted to labels "
                      "on Pod template. More info: https://kubernetes.io/docs/concepts/overview/"
                      "working-with-objects/labels/#label-selectors",
                      [](const json::object& o) { return formatLabels(obj(o, "spec.selector")); },
                      1));
  return {std::move(columns), nullptr};
}

// printResourceQuota: "name: used/hard" for each hard limit, sorted by name; the
// limits.* ones go to the Limit column.
std::string quotaColumn(const json::object& quota, bool limits) {
  const json::object& hard = obj(quota, "status.hard");
  const json::object& used = obj(quota, "status.used");
  std::vector<std::string> names;
  for (const auto& kv : hard) names.emplace_back(kv.key());
  std::sort(names.begin(), names.end());
  std::vector<std::string> parts;
  for (const std::string& name : names) {
    auto dot = name.find('.');
    bool isLimit = dot != std::string::npos && name.substr(0, dot) == "limits";
    if (isLimit != limits) continue;
    auto quantity = [&](const json::object& m) {
      const json::value* v = m.if_contains(name);
      return v && v->is_string() ? canonicalQuantity(v->get_string()) : std::string("0");
    };
    parts.push_back(name + ": " + quantity(used) + "/" + quantity(hard));
  }
  return join(parts, ", ");
}

Printer resourceQuotaPrinter() {
  return {{nameColumn(),
           textColumn("Request",
                      "Request represents a minimum amount of cpu/memory that a container may "
                      "consume.",
                      [](const json::object& o) { return quotaColumn(o, false); }),
           textColumn("Limit",
                      "Limits control the maximum amount of cpu/memory that a container may use "
                      "independent of contention on the node.",
                      [](const json::object& o) { return quotaColumn(o, true); }),
           ageColumn()},
          nullptr};
}

}  // namespace

void addCorePrinters(PrinterMap& printers) {
  printers["/services"] = servicePrinter();
  printers["/endpoints"] = endpointsPrinter();
  printers["/nodes"] = nodePrinter();
  printers["/namespaces"] = namespacePrinter();
  printers["/configmaps"] = configMapPrinter();
  printers["/secrets"] = secretPrinter();
  printers["/serviceaccounts"] = serviceAccountPrinter();
  printers["/replicationcontrollers"] = replicationControllerPrinter();
  printers["/resourcequotas"] = resourceQuotaPrinter();
}

}  // namespace kcpp::apiserver::table
