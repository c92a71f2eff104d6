#include "scheduler/plugins/tainttoleration/taint_toleration.h"

#include "scheduler/framework/normalize.h"

namespace kcpp::scheduler::plugins {

namespace {

bool tolerated(const Taint& taint, const std::vector<Toleration>& tolerations) {
  for (const Toleration& t : tolerations) {
    if (t.tolerates(taint)) return true;
  }
  return false;
}

}  // namespace

Status TaintToleration::filter(const CycleState&, const PodInfo& pod, const NodeInfo& node) const {
  for (const Taint& taint : node.taints) {
    if (taint.effect != "NoSchedule" && taint.effect != "NoExecute") continue;
    if (!tolerated(taint, pod.tolerations)) {
      return Status::unresolvable("node(s) had untolerated taint {" + taint.key + ": " + taint.value + "}");
    }
  }
  return Status::success();
}

std::int64_t TaintToleration::score(const CycleState&, const PodInfo& pod, const NodeInfo& node) const {
  std::int64_t count = 0;
  for (const Taint& taint : node.taints) {
    if (taint.effect != "PreferNoSchedule") continue;
    bool ok = false;
    for (const Toleration& t : pod.tolerations) {
      // Only tolerations that apply to PreferNoSchedule count (empty effect or that one).
      if ((t.effect.empty() || t.effect == "PreferNoSchedule") && t.tolerates(taint)) ok = true;
    }
    if (!ok) ++count;
  }
  return count;
}

void TaintToleration::normalize(const CycleState&, const PodInfo&, std::vector<std::int64_t>& scores) const {
  defaultNormalizeScore(scores, true);
}

}  // namespace kcpp::scheduler::plugins
