// networking.k8s.io and discovery.k8s.io columns: ingresses, ingressclasses,
// networkpolicies and endpointslices (upstream's printIngress, printIngressClass,
// printNetworkPolicy, printEndpointSlice).

#include <set>

#include "apiserver/handlers/table_columns.h"

namespace kcpp::apiserver::table {

namespace {

// Up to `max` entries, then " + N more..." (N counted over `count` entries);
// "<unset>" for none (listWithMoreString).
std::string listWithMore(const std::vector<std::string>& list, bool more, std::size_t count,
                         std::size_t max) {
  std::string out = join(list, ",");
  if (more) return out + " + " + std::to_string(count - max) + " more...";
  return out.empty() ? "<unset>" : out;
}

// formatHosts: the first three rule hosts; "*" when no rule names a host.
std::string ingressHosts(const json::object& ing) {
  const json::array& rules = arr(ing, "spec.rules");
  const std::size_t max = 3;
  std::vector<std::string> list;
  bool more = false;
  for (const json::value& r : rules) {
    if (list.size() == max) more = true;
    std::string host = str(asObject(r), "host");
    if (!more && !host.empty()) list.push_back(host);
  }
  if (list.empty()) return "*";
  std::string out = join(list, ",");
  if (more) out += " + " + std::to_string(rules.size() - max) + " more...";
  return out;
}

// ingressLoadBalancerStatusStringer (wide): distinct IPs or hostnames, sorted.
std::string ingressAddress(const json::object& ing) {
  std::set<std::string> addresses;
  for (const json::value& v : arr(ing, "status.loadBalancer.ingress")) {
    std::string ip = str(asObject(v), "ip");
    std::string host = str(asObject(v), "hostname");
    if (!ip.empty()) addresses.insert(ip);
    else if (!host.empty()) addresses.insert(host);
  }
  return join({addresses.begin(), addresses.end()}, ",");
}

Printer ingressPrinter() {
  return {{nameColumn(),
           textColumn("Class",
                      "The name of the IngressClass resource that should be used for additional "
                      "configuration",
                      [](const json::object& o) {
                        return has(o, "spec.ingressClassName") ? str(o, "spec.ingressClassName")
                                                               : "<none>";
                      }),
           textColumn("Hosts",
                      "Hosts that incoming requests are matched against before the ingress rule",
                      ingressHosts),
           textColumn("Address",
                      "Address is a list containing ingress points for the load-balancer",
                      ingressAddress),
           textColumn("Ports", "Ports of TLS configurations that open",
                      [](const json::object& o) {
                        return arr(o, "spec.tls").empty() ? "80" : "80, 443";
                      }),
           ageColumn()},
          nullptr};
}

// "Kind[.apiGroup]/name" of the class parameters, or "<none>".
std::string ingressClassParameters(const json::object& ic) {
  if (!has(ic, "spec.parameters")) return "<none>";
  std::string out = str(ic, "spec.parameters.kind");
  if (has(ic, "spec.parameters.apiGroup")) out += "." + str(ic, "spec.parameters.apiGroup");
  return out + "/" + str(ic, "spec.parameters.name");
}

Printer ingressClassPrinter() {
  return {{nameColumn(),
           textColumn("Controller", "Controller that is responsible for handling this class",
                      [](const json::object& o) { return str(o, "spec.controller"); }),
           textColumn("Parameters", "A reference to a resource with additional parameters",
                      ingressClassParameters),
           ageColumn()},
          nullptr};
}

Printer networkPolicyPrinter() {
  return {{nameColumn(),
           textColumn("Pod-Selector",
                      "Selects the pods to which this NetworkPolicy object applies.  The array "
                      "of ingress rules is applied to any pods selected by this field. Multiple "
                      "network policies can select the same set of pods.  In this case, the "
                      "ingress rules for each are combined additively. This field is NOT "
                      "optional and follows standard label selector semantics. An empty "
                      "podSelector matches all pods in this namespace.",
                      [](const json::object& o) { return formatSelector(o, "spec.podSelector"); }),
           ageColumn()},
          nullptr};
}

// formatDiscoveryPorts: port numbers (or names, or "*"), at most three.
std::string sliceEndpointPorts(const json::object& slice) {
  const std::size_t max = 3;
  std::vector<std::string> list;
  bool more = false;
  std::size_t count = 0;
  for (const json::value& v : arr(slice, "ports")) {
    const json::object& p = asObject(v);
    if (list.size() < max) {
      std::string port = "*";
      if (has(p, "port")) port = std::to_string(num(p, "port"));
      else if (has(p, "name")) port = str(p, "name");
      list.push_back(port);
    } else if (list.size() == max) {
      more = true;
    }
    ++count;
  }
  return listWithMore(list, more, count, max);
}

// formatDiscoveryEndpoints: the endpoints' addresses, at most three.
std::string sliceEndpointAddresses(const json::object& slice) {
  const std::size_t max = 3;
  std::vector<std::string> list;
  bool more = false;
  std::size_t count = 0;
  for (const json::value& e : arr(slice, "endpoints")) {
    for (const json::value& a : arr(asObject(e), "addresses")) {
      if (list.size() < max) list.push_back(a.is_string() ? std::string(a.get_string()) : "");
      else if (list.size() == max) more = true;
      ++count;
    }
  }
  return listWithMore(list, more, count, max);
}

Printer endpointSlicePrinter() {
  return {{nameColumn(),
           textColumn("AddressType",
                      "addressType specifies the type of address carried by this EndpointSlice. "
                      "All addresses in this slice must be the same type. This field is "
                      "immutable after creation. The following address types are currently "
                      "supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 "
                      "Address. * FQDN: Represents a Fully Qualified Domain Name.",
                      [](const json::object& o) { return str(o, "addressType"); }),
           textColumn("Ports",
                      "ports specifies the list of network ports exposed by each endpoint in "
                      "this slice. Each port must have a unique name. When ports is empty, it "
                      "indicates that there are no defined ports. When a port is defined with a "
                      "nil port value, it indicates \"all ports\". Each slice may include a "
                      "maximum of 100 ports.",
                      sliceEndpointPorts),
           textColumn("Endpoints",
                      "endpoints is a list of unique endpoints in this slice. Each slice may "
                      "include a maximum of 1000 endpoints.",
                      sliceEndpointAddresses),
           ageColumn()},
          nullptr};
}

}  // namespace

void addNetworkingPrinters(PrinterMap& printers) {
  printers["networking.k8s.io/ingresses"] = ingressPrinter();
  printers["networking.k8s.io/ingressclasses"] = ingressClassPrinter();
  printers["networking.k8s.io/networkpolicies"] = networkPolicyPrinter();
  printers["discovery.k8s.io/endpointslices"] = endpointSlicePrinter();
}

}  // namespace kcpp::apiserver::table
