#pragma once
// DefaultPreemption (PostFilter): when no node fits a pod, find a node where
// evicting pods of lower priority makes it fit, evicting as few (and as
// unimportant) pods as possible; delete those victims and nominate the node
// (status.nominatedNodeName) so the pod lands there once they are gone.
// Nodes whose failure no eviction can cure (UnschedulableAndUnresolvable) are
// skipped.
//
// PodDisruptionBudgets (policy/v1) are honoured as upstream: a victim whose
// eviction would take a budget below zero (status.disruptionsAllowed, minus
// the victims before it; pods in status.disruptedPods not counted again)
// violates it. Violating pods are reprieved first, and among nodes the one
// with the fewest violations wins before priorities are compared
// (pickOneNodeForPreemption). Budgets are a preference, not a guarantee.
#include <set>

#include "scheduler/framework/interface.h"

namespace kcpp::scheduler::plugins {

struct PreemptionCandidate {
  std::string node;
  std::vector<PodInfoPtr> victims;
  int numPDBViolations = 0;
};

// What preemption needs of a PodDisruptionBudget.
struct DisruptionBudget {
  std::string ns;
  selectors::LabelSelector selector;  // an empty one selects nothing here, as upstream
  std::int64_t disruptionsAllowed = 0;
  std::set<std::string> disruptedPods;
};
DisruptionBudget parseDisruptionBudget(const boost::json::object& pdb);

// Upstream's filterPodsWithPDBViolation: splits `pods` (kept in order) into
// those whose eviction violates a budget and those whose eviction does not.
void splitByBudgetViolation(const std::vector<PodInfoPtr>& pods, const std::vector<DisruptionBudget>& budgets,
                            std::vector<PodInfoPtr>& violating, std::vector<PodInfoPtr>& nonViolating);

class DefaultPreemption final : public PostFilterPlugin {
 public:
  static constexpr const char* kName = "DefaultPreemption";
  explicit DefaultPreemption(Handle& handle) : handle_(handle) {}
  std::string_view name() const override { return kName; }
  boost::asio::awaitable<PostFilterResult> postFilter(CycleState& state, PodInfoPtr pod,
                                                      const std::map<std::string, Status>& filtered) override;

  // The dry run: the best node and its victims, or the per-node reasons none works.
  std::optional<PreemptionCandidate> findCandidate(const CycleState& state, const PodInfo& pod,
                                                   const std::map<std::string, Status>& filtered,
                                                   std::map<std::string, Status>& why);

 private:
  // The pods that must go from `node` for `pod` to fit there (fewest, lowest first).
  Status selectVictimsOnNode(const CycleState& state, const PodInfo& pod, const NodeInfo& node,
                             const std::vector<DisruptionBudget>& budgets, PreemptionCandidate& candidate);
  // The budgets of every namespace with pods on some node.
  std::vector<DisruptionBudget> budgets() const;
  Handle& handle_;
};

}  // namespace kcpp::scheduler::plugins
