#include "scheduler/plugins/nodeunschedulable/node_unschedulable.h"

namespace kcpp::scheduler::plugins {

Status NodeUnschedulable::filter(const CycleState&, const PodInfo& pod, const NodeInfo& node) const {
  if (!node.unschedulable) return Status::success();
  Taint cordon{"node.kubernetes.io/unschedulable", "", "NoSchedule"};
  for (const Toleration& t : pod.tolerations) {
    if (t.tolerates(cordon)) return Status::success();
  }
  return Status::unresolvable(kReason);
}

}  // namespace kcpp::scheduler::plugins
