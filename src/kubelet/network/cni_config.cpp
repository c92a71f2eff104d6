#include "kubelet/network/cni_config.h"

#include <arpa/inet.h>

#include <boost/json.hpp>
#include <charconv>

#include "pki/atomic_file.h"

namespace kcpp::kubelet::network {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

constexpr char kCniVersion[] = "1.0.0";  // containerd 1.6 and the Debian plugins (1.1) speak it

Error badRequest(std::string message) { return makeError(Reason::BadRequest, std::move(message)); }

enum class Family { V4, V6 };

// Strict CIDR parsing (inet_pton, prefix in range); nullopt-like error otherwise.
Result<Family> cidrFamily(const std::string& cidr) {
  std::size_t slash = cidr.find('/');
  if (slash == std::string::npos) return badRequest("invalid pod CIDR \"" + cidr + "\": no prefix length");
  std::string ip = cidr.substr(0, slash);
  std::string bits = cidr.substr(slash + 1);
  unsigned char buf[16];
  Family family = ip.find(':') == std::string::npos ? Family::V4 : Family::V6;
  int af = family == Family::V4 ? AF_INET : AF_INET6;
  int prefix = -1;
  auto [ptr, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
  int maxBits = family == Family::V4 ? 32 : 128;
  if (::inet_pton(af, ip.c_str(), buf) != 1 || ec != std::errc() || ptr != bits.data() + bits.size() ||
      bits.empty() || prefix < 0 || prefix > maxBits) {
    return badRequest("invalid pod CIDR \"" + cidr + "\"");
  }
  // host-local needs room for a gateway and at least one pod.
  if (prefix > maxBits - 2) return badRequest("pod CIDR \"" + cidr + "\" is too small");
  return family;
}

json::object bridgePlugin(const CniOptions& o, json::array ranges, json::array routes) {
  json::object ipam;
  ipam["type"] = "host-local";
  ipam["ranges"] = std::move(ranges);
  ipam["routes"] = std::move(routes);
  if (!o.ipamDataDir.empty()) ipam["dataDir"] = o.ipamDataDir;
  json::object bridge;
  bridge["type"] = "bridge";
  bridge["bridge"] = o.bridge;
  bridge["isGateway"] = true;   // the bridge holds each range's first address: the pods' gateway
  bridge["ipMasq"] = o.ipMasq;
  bridge["hairpinMode"] = true; // a pod reaches itself through its own Service IP
  if (o.mtu > 0) bridge["mtu"] = o.mtu;
  bridge["ipam"] = std::move(ipam);
  return bridge;
}

json::object portmapPlugin() {
  json::object caps;
  caps["portMappings"] = true;  // CRI passes the pod's hostPorts as runtimeConfig
  json::object portmap;
  portmap["type"] = "portmap";
  portmap["capabilities"] = std::move(caps);
  return portmap;
}

}  // namespace

Result<std::vector<std::string>> nodePodCidrs(const json::object& node) {
  std::vector<std::string> cidrs;
  const json::object* spec = nullptr;
  if (auto* s = node.if_contains("spec"); s && s->is_object()) spec = &s->get_object();
  if (spec) {
    if (auto* list = spec->if_contains("podCIDRs"); list && list->is_array()) {
      for (const auto& v : list->get_array()) {
        if (v.is_string() && !v.get_string().empty()) cidrs.emplace_back(v.get_string());
      }
    }
    if (cidrs.empty()) {
      if (auto* one = spec->if_contains("podCIDR"); one && one->is_string() && !one->get_string().empty()) {
        cidrs.emplace_back(one->get_string());
      }
    }
  }
  if (cidrs.empty()) return makeError(Reason::NotFound, "node has no pod CIDR assigned yet");
  return cidrs;
}

Result<json::object> cniConflist(const CniOptions& o) {
  if (o.podCidrs.empty()) return badRequest("no pod CIDR to configure the pod network with");
  if (o.podCidrs.size() > 2) return badRequest("at most two pod CIDRs (one per IP family)");
  json::array ranges, routes;
  bool seen[2] = {false, false};
  for (const auto& cidr : o.podCidrs) {
    auto family = cidrFamily(cidr);
    if (!family) return std::move(family).error();
    int f = *family == Family::V4 ? 0 : 1;
    if (seen[f]) return badRequest("two pod CIDRs of the same IP family: " + o.podCidrs[0] + ", " + o.podCidrs[1]);
    seen[f] = true;
    json::object subnet;
    subnet["subnet"] = cidr;
    ranges.emplace_back(json::array{json::value(std::move(subnet))});
    json::object route;
    route["dst"] = f == 0 ? "0.0.0.0/0" : "::/0";
    routes.emplace_back(std::move(route));
  }
  json::array plugins;
  plugins.emplace_back(bridgePlugin(o, std::move(ranges), std::move(routes)));
  plugins.emplace_back(portmapPlugin());
  json::object conf;
  conf["cniVersion"] = kCniVersion;
  conf["name"] = o.networkName;
  conf["plugins"] = std::move(plugins);
  return conf;
}

Result<bool> writeCniConflist(const fs::path& confDir, const CniOptions& options) {
  auto conf = cniConflist(options);
  if (!conf) return std::move(conf).error();
  std::string text = json::serialize(*conf) + "\n";
  if (auto r = pki::ensureDirectory(confDir, 0755); !r) return std::move(r).error();
  fs::path path = confDir / kConflistName;
  auto current = pki::readFile(path);
  if (current && *current == text) return false;
  if (auto r = pki::writeFileAtomic(path, text, 0644); !r) return std::move(r).error();
  return true;
}

Result<bool> syncCniConflist(const fs::path& confDir, const json::object& node, CniOptions options) {
  auto cidrs = nodePodCidrs(node);
  if (!cidrs) return std::move(cidrs).error();
  options.podCidrs = std::move(*cidrs);
  return writeCniConflist(confDir, options);
}

}  // namespace kcpp::kubelet::network
