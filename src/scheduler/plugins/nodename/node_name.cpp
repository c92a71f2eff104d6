#include "scheduler/plugins/nodename/node_name.h"

namespace kcpp::scheduler::plugins {

Status NodeName::filter(const CycleState&, const PodInfo& pod, const NodeInfo& node) const {
  if (pod.nodeName.empty() || pod.nodeName == node.name) return Status::success();
  return Status::unresolvable(kReason);
}

}  // namespace kcpp::scheduler::plugins
