#include "scheduler/plugins/nodeports/node_ports.h"

namespace kcpp::scheduler::plugins {

namespace {

bool anyAddress(const std::string& ip) { return ip.empty() || ip == "0.0.0.0" || ip == "::"; }

}  // namespace

bool portsConflict(const HostPort& a, const HostPort& b) {
  if (a.port != b.port || a.protocol != b.protocol) return false;
  return anyAddress(a.ip) || anyAddress(b.ip) || a.ip == b.ip;
}

Status NodePorts::preFilter(CycleState&, const PodInfo& pod, const Snapshot&) {
  return pod.hostPorts.empty() ? Status::skip() : Status::success();
}

Status NodePorts::filter(const CycleState&, const PodInfo& pod, const NodeInfo& node) const {
  for (const HostPort& wanted : pod.hostPorts) {
    for (const HostPort& used : node.usedPorts) {
      if (portsConflict(wanted, used)) return Status::unschedulable(kReason);
    }
  }
  return Status::success();
}

}  // namespace kcpp::scheduler::plugins
