#include "scheduler/plugins/defaultpreemption/default_preemption.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "api/meta/object.h"
#include "api/selectors/label_selector_json.h"
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

std::int64_t highestPriority(const PreemptionCandidate& c) {
  std::int64_t h = std::numeric_limits<std::int64_t>::min();
  for (const auto& v : c.victims) h = std::max<std::int64_t>(h, v->priority);
  return h;
}

std::int64_t prioritySum(const PreemptionCandidate& c) {
  std::int64_t s = 0;
  // Offset so that negative priorities still add up to more victims costing more.
  for (const auto& v : c.victims) s += static_cast<std::int64_t>(v->priority) + (1LL << 31);
  return s;
}

// The earliest start among the highest-priority victims.
std::chrono::system_clock::time_point earliestStartOfHighest(const PreemptionCandidate& c) {
  std::int64_t h = highestPriority(c);
  auto earliest = std::chrono::system_clock::time_point::max();
  for (const auto& v : c.victims) {
    if (v->priority == h) earliest = std::min(earliest, v->created);
  }
  return earliest;
}

// pickOneNodeForPreemption's order: the fewest budget violations, the lowest
// highest-victim priority, the lowest priority sum, the fewest victims, then
// the latest start of the highest-priority victims (disturb young pods).
bool betterCandidate(const PreemptionCandidate& a, const PreemptionCandidate& b) {
  if (a.numPDBViolations != b.numPDBViolations) return a.numPDBViolations < b.numPDBViolations;
  if (highestPriority(a) != highestPriority(b)) return highestPriority(a) < highestPriority(b);
  if (prioritySum(a) != prioritySum(b)) return prioritySum(a) < prioritySum(b);
  if (a.victims.size() != b.victims.size()) return a.victims.size() < b.victims.size();
  return earliestStartOfHighest(a) > earliestStartOfHighest(b);
}

}  // namespace

DisruptionBudget parseDisruptionBudget(const boost::json::object& pdb) {
  DisruptionBudget b;
  b.ns = std::string(api::metaNamespace(pdb));
  const boost::json::value* selector = api::findPath(pdb, "spec.selector");
  if (selector && selector->is_object()) {
    auto parsed = selectors::labelSelectorFromJson(*selector);
    b.selector = parsed ? *parsed : selectors::LabelSelector::nothing();
  }
  if (const boost::json::value* allowed = api::findPath(pdb, "status.disruptionsAllowed"); allowed && allowed->is_int64()) {
    b.disruptionsAllowed = allowed->get_int64();
  }
  if (const boost::json::value* disrupted = api::findPath(pdb, "status.disruptedPods");
      disrupted && disrupted->is_object()) {
    for (const auto& [name, when] : disrupted->get_object()) b.disruptedPods.insert(std::string(name));
  }
  return b;
}

void splitByBudgetViolation(const std::vector<PodInfoPtr>& pods, const std::vector<DisruptionBudget>& budgets,
                            std::vector<PodInfoPtr>& violating, std::vector<PodInfoPtr>& nonViolating) {
  std::vector<std::int64_t> allowed;
  for (const auto& b : budgets) allowed.push_back(b.disruptionsAllowed);
  for (const PodInfoPtr& p : pods) {
    bool violated = false;
    for (std::size_t i = 0; i < budgets.size(); ++i) {
      const DisruptionBudget& b = budgets[i];
      if (b.ns != p->ns || b.selector.empty() || !b.selector.matches(p->labels)) continue;
      // Already counted by the disruption controller.
      if (b.disruptedPods.count(p->name)) continue;
      if (--allowed[i] < 0) violated = true;
    }
    (violated ? violating : nonViolating).push_back(p);
  }
}

std::vector<DisruptionBudget> DefaultPreemption::budgets() const {
  std::set<std::string> namespaces;
  for (const NodeInfo* node : handle_.snapshot().nodes) {
    for (const PodInfoPtr& p : node->pods) namespaces.insert(p->ns);
  }
  std::vector<DisruptionBudget> out;
  for (const std::string& ns : namespaces) {
    for (const ObjectPtr& pdb : handle_.list("poddisruptionbudgets", ns)) out.push_back(parseDisruptionBudget(*pdb));
  }
  return out;
}

Status DefaultPreemption::selectVictimsOnNode(const CycleState& cycle, const PodInfo& pod, const NodeInfo& node,
                                              const std::vector<DisruptionBudget>& budgets,
                                              PreemptionCandidate& candidate) {
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
  // Reprieve as many as possible, most important first, and those whose
  // eviction would violate a budget before the others.
  std::sort(lower.begin(), lower.end(), moreImportant);
  std::vector<PodInfoPtr> violating, nonViolating;
  splitByBudgetViolation(lower, budgets, violating, nonViolating);
  auto reprieve = [&](const PodInfoPtr& p) {
    trial.addPod(p);
    framework.runPreFilterAddPod(state, pod, *p, trial);
    if (framework.runFilter(state, pod, trial).ok()) return true;
    trial.removePod(p->key);
    framework.runPreFilterRemovePod(state, pod, *p, trial);
    candidate.victims.push_back(p);
    return false;
  };
  for (const PodInfoPtr& p : violating) {
    if (!reprieve(p)) ++candidate.numPDBViolations;
  }
  for (const PodInfoPtr& p : nonViolating) reprieve(p);
  // Victims in order of importance, as upstream returns them.
  std::sort(candidate.victims.begin(), candidate.victims.end(), moreImportant);
  return Status::success();
}

std::optional<PreemptionCandidate> DefaultPreemption::findCandidate(const CycleState& state, const PodInfo& pod,
                                                                    const std::map<std::string, Status>& filtered,
                                                                    std::map<std::string, Status>& why) {
  std::optional<PreemptionCandidate> best;
  const std::vector<DisruptionBudget> pdbs = budgets();
  for (const NodeInfo* node : handle_.snapshot().nodes) {
    auto status = filtered.find(node->name);
    if (status != filtered.end() && status->second.code == Code::UnschedulableAndUnresolvable) {
      why[node->name] = Status::unresolvable(kNotHelpful);
      continue;
    }
    PreemptionCandidate c{node->name, {}};
    Status s = selectVictimsOnNode(state, pod, *node, pdbs, c);
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
