#pragma once
// Reading a Service (JSON) the way upstream's helpers read api.Service: its type,
// cluster IPs, node ports and the predicates the registry uses (headless, needs a
// cluster IP / node ports / a health check node port). Absent or mistyped fields
// read as their zero values, as Go's decoding leaves them.

#include <boost/json.hpp>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace kcpp::apiserver::service {

namespace json = boost::json;

inline constexpr std::string_view kClusterIP = "ClusterIP";
inline constexpr std::string_view kNodePort = "NodePort";
inline constexpr std::string_view kLoadBalancer = "LoadBalancer";
inline constexpr std::string_view kExternalName = "ExternalName";
inline constexpr std::string_view kNone = "None";  // clusterIP of a headless Service

// obj[key] as a string / integer / string list; empty, 0, {} when absent or mistyped.
std::string_view stringOf(const json::object& obj, std::string_view key);
std::int64_t intOf(const json::object& obj, std::string_view key);
std::vector<std::string> stringsOf(const json::object& obj, std::string_view key);
bool isInt(const json::value* v);

// spec (empty object when absent) and spec.ports entries that are objects.
const json::object& specOf(const json::object& svc);
json::object& specOf(json::object& svc);
std::vector<const json::object*> portsOf(const json::object& svc);
std::vector<json::object*> portsOf(json::object& svc);

std::string_view typeOf(const json::object& svc);
std::vector<std::string> clusterIPsOf(const json::object& svc);  // spec.clusterIPs
bool isHeadless(const json::object& svc);                        // clusterIPs == ["None"]
bool needsClusterIP(const json::object& svc);                    // every type but ExternalName
bool needsNodePort(const json::object& svc);                     // NodePort, LoadBalancer
bool needsHealthCheckNodePort(const json::object& svc);          // LoadBalancer + Local
bool externallyAccessible(const json::object& svc);  // NodePort, LB, ClusterIP + externalIPs
// Whether ports without a node port get one (LoadBalancer may opt out).
bool shouldAllocateNodePorts(const json::object& svc);
bool hasSelector(const json::object& svc);

// The cluster IPs a Service holds from the allocator (not "None", none for
// ExternalName) and the node ports it holds (ports[].nodePort of NodePort and
// LoadBalancer Services, and a needed healthCheckNodePort).
std::vector<std::string> heldIPs(const json::object& svc);
std::set<std::int64_t> heldNodePorts(const json::object& svc);

json::array toArray(const std::vector<std::string>& values);

}  // namespace kcpp::apiserver::service
