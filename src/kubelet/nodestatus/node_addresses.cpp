#include "kubelet/nodestatus/node_addresses.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <fstream>
#include <sstream>

namespace kcpp::kubelet::nodestatus {

namespace {

// The first IPv4 address of an up interface: named `iface`, or any non-loopback one.
std::string ipv4Of(const std::string& iface) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return "";
  std::string found;
  for (ifaddrs* a = list; a && found.empty(); a = a->ifa_next) {
    if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET || !(a->ifa_flags & IFF_UP)) continue;
    if (iface.empty() ? (a->ifa_flags & IFF_LOOPBACK) != 0 : iface != a->ifa_name) continue;
    char text[INET_ADDRSTRLEN] = {};
    const auto* in = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
    if (inet_ntop(AF_INET, &in->sin_addr, text, sizeof text)) found = text;
  }
  freeifaddrs(list);
  return found;
}

}  // namespace

std::string defaultRouteInterface(std::string_view procNetRoute) {
  std::istringstream lines{std::string(procNetRoute)};
  std::string line;
  std::getline(lines, line);  // header
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string iface, destination, gateway, flags, refCnt, use, metric, mask;
    if (!(fields >> iface >> destination >> gateway >> flags >> refCnt >> use >> metric >> mask)) continue;
    if (destination == "00000000" && mask == "00000000") return iface;
  }
  return "";
}

std::string detectNodeIP(const std::string& nodeIP, const std::filesystem::path& procNetRoute) {
  if (!nodeIP.empty()) return nodeIP;
  std::ifstream in(procNetRoute);
  std::stringstream text;
  text << in.rdbuf();
  if (std::string iface = defaultRouteInterface(text.str()); !iface.empty()) {
    if (std::string ip = ipv4Of(iface); !ip.empty()) return ip;
  }
  if (std::string ip = ipv4Of(""); !ip.empty()) return ip;
  return "127.0.0.1";
}

boost::json::array nodeAddresses(const std::string& internalIP, const std::string& hostname) {
  return boost::json::array{boost::json::object{{"type", "InternalIP"}, {"address", internalIP}},
                            boost::json::object{{"type", "Hostname"}, {"address", hostname}}};
}

}  // namespace kcpp::kubelet::nodestatus
