#pragma once
// The node's addresses as upstream's kubelet reports them without a cloud
// provider (nodestatus.NodeAddress): InternalIP from --node-ip, else the IPv4
// address of the interface holding the default route, else the first
// non-loopback IPv4 address; then Hostname.

#include <boost/json.hpp>

#include <filesystem>
#include <string>
#include <string_view>

namespace kcpp::kubelet::nodestatus {

// The interface of the default IPv4 route in /proc/net/route text; "" if none.
std::string defaultRouteInterface(std::string_view procNetRoute);

// The node's InternalIP: `nodeIP` when set, else as above ("127.0.0.1" when
// the host has nothing else, e.g. a bare network namespace).
std::string detectNodeIP(const std::string& nodeIP, const std::filesystem::path& procNetRoute = "/proc/net/route");

boost::json::array nodeAddresses(const std::string& internalIP, const std::string& hostname);

}  // namespace kcpp::kubelet::nodestatus
