#pragma once
// The node's CNI network configuration, which containerd's CRI plugin reads
// from its conf_dir (<data-dir>/agent/etc/cni/net.d/) to give every pod an IP:
//
//   bridge (cni0, gateway, IP masquerade, hairpin) with host-local IPAM over the
//   node's podCIDR(s) → portmap (portMappings capability: hostPort works)
//
// Loopback inside the pod is not in the chain: containerd's CRI sets up "lo"
// itself with the loopback plugin from the same bin_dir.
//
// The podCIDR comes from the Node object (spec.podCIDRs), which the
// controller-manager's node IPAM fills from --cluster-cidr.

#include <filesystem>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "util/error.h"

namespace kcpp::kubelet::network {

inline constexpr char kConflistName[] = "10-kcpp.conflist";

struct CniOptions {
  std::vector<std::string> podCidrs;  // one per IP family: "10.42.0.0/24", "fd42::/64"
  std::string networkName = "kcpp";
  std::string bridge = "cni0";
  // host-local's allocation state; empty means the plugin's default
  // (/var/lib/cni/networks). kcpp keeps it under <data-dir>/agent/cni/networks.
  std::string ipamDataDir;
  bool ipMasq = true;  // pods reach addresses outside the pod CIDR through the node's IP
  int mtu = 0;         // 0: the bridge plugin's default
};

// The pod CIDRs of a Node object: spec.podCIDRs, else spec.podCIDR. NotFound
// while none is assigned yet (the kubelet waits for the node IPAM).
Result<std::vector<std::string>> nodePodCidrs(const boost::json::object& node);

// The conflist document; BadRequest for a missing or invalid CIDR, or two of
// one family.
Result<boost::json::object> cniConflist(const CniOptions& options);

// Writes <confDir>/10-kcpp.conflist atomically (temp file + rename), creating
// confDir; leaves an identical file untouched. True when the file changed.
Result<bool> writeCniConflist(const std::filesystem::path& confDir, const CniOptions& options);

// What the kubelet does when its Node object changes: the conflist for the
// node's pod CIDRs (options.podCidrs is replaced). NotFound while the node has
// no pod CIDR yet (nothing is written); true when the file changed.
Result<bool> syncCniConflist(const std::filesystem::path& confDir, const boost::json::object& node,
                             CniOptions options);

}  // namespace kcpp::kubelet::network
