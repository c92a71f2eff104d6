#include "scheduler/plugins/defaultpreemption/default_preemption.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "scheduler/framework/framework.h"

namespace kcpp::scheduler::plugins {

namespace {

constexpr const char* kNotHelpful = "Preemption is not helpful for scheduling";
constexpr const char* kNoVictims = "No preemption victims found for incoming pod";

// Upstream's MoreImportantPod: higher priority, then the older pod.
bool moreImportant(const PodInfoPtr& a, const PodInfoPtr& b) {
  if (a->priority != b->priority) return a->priority > b->priority;
  return a->created < b->created;
}

// pickOneNodeForPreemption, shortened: the lowest highest-victim priority,
// then the lowest priority sum, then the fewest victims.
bool betterCandidate(const PreemptionCandidate& a, const PreemptionCandidate& b) {
  auto highest = [](const PreemptionCandidate& c) {
    std::int64_t h = std::numeric_limits<std::int64_t>::min();
    for (const auto& v : c.victims) h = std::max<std::int64_t>(h, v->priority);
    return h;
  };
  auto sum = [](const PreemptionCandidate& c) {
    std::int64_t s = 0;
    for (const auto& v : c.victims) s += static_cast<std::int64_t>(v->priority) + (1LL << 31);
    return s;
  };
  if (highest(a) != highest(b)) return highest(a) < highest(b);
  if (sum(a) != sum(b)) return sum(a) < sum(b);
  return a.victims.size() < b.victims.size();
}

}  // namespace

Status DefaultPreemption::selectVictimsOnNode(const CycleState& cycle, const PodInfo& pod, const NodeInfo& node,
                                              std::vector<PodInfoPtr>& victims) {
  Framework& framework = handle_.framework();
  CycleState state = cycle.clone();
  NodeInfo trial = node;
  std::vector<PodInfoPtr> lower;
  for (const PodInfoPtr& p : node.pods) {
    if (p->priority < pod.priority) lower.push_back(p);
  }
  if (lower.empty()) return Status::unresolvable(kNoVictims);
  for (const PodInfoPtr& p : lower) {
    trial.removePod(p->key);
    framework.runPreFilterRemovePod(state, pod, *p, trial);
  }
  Status fits = framework.runFilter(state, pod, trial);
  if (!fits.ok()) return fits;
  // Reprieve as many as possible, most important first.
  std::sort(lower.begin(), lower.end(), moreImportant);
  for (const PodInfoPtr& p : lower) {
    trial.addPod(p);
    framework.runPreFilterAddPod(state, pod, *p, trial);
    if (framework.runFilter(state, pod, trial).ok()) continue;
    trial.removePod(p->key);
    framework.runPreFilterRemovePod(state, pod, *p, trial);
    victims.push_back(p);
  }
  return Status::success();
}

std::optional<PreemptionCandidate> DefaultPreemption::findCandidate(const CycleState& state, const PodInfo& pod,
                                                                    const std::map<std::string, Status>& filtered,
                                                                    std::map<std::string, Status>& why) {
  std::optional<PreemptionCandidate> best;
  for (const NodeInfo* node : handle_.snapshot().nodes) {
    auto status = filtered.find(node->name);
    if (status != filtered.end() && status->second.code == Code::UnschedulableAndUnresolvable) {
      why[node->name] = Status::unresolvable(kNotHelpful);
      continue;
    }
    PreemptionCandidate c{node->name, {}};
    Status s = selectVictimsOnNode(state, pod, *node, c.victims);
    if (!s.ok()) {
      why[node->name] = std::move(s);
      continue;
    }
    if (c.victims.empty()) continue;  // it fits without eviction: nothing to do here
    if (!best || betterCandidate(c, *best)) best = std::move(c);
  }
  return best;
}

boost::asio::awaitable<PostFilterResult> DefaultPreemption::postFilter(CycleState& state, PodInfoPtr pod,
                                                                       const std::map<std::string, Status>& filtered) {
  if (pod->preemptNever) {
    co_return PostFilterResult{"", Status::unschedulable("not eligible due to preemptionPolicy=Never.")};
  }
  std::map<std::string, Status> why;
  std::optional<PreemptionCandidate> candidate = findCandidate(state, *pod, filtered, why);
  if (!candidate) {
    FitError fit;
    fit.numAllNodes = static_cast<int>(handle_.snapshot().nodes.size());
    fit.nodeToStatus = std::move(why);
    co_return PostFilterResult{"", Status::unschedulable("preemption: " + fit.message())};
  }
  for (const PodInfoPtr& victim : candidate->victims) {
    Status deleted = co_await handle_.deletePod(*victim, *pod, candidate->node);
    if (!deleted.ok()) co_return PostFilterResult{"", deleted};
  }
  co_return PostFilterResult{candidate->node, Status::success()};
}

}  // namespace kcpp::scheduler::plugins
