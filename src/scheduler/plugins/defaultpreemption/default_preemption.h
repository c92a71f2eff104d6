#pragma once
// DefaultPreemption (PostFilter): when no node fits a pod, find a node where
// evicting pods of lower priority makes it fit, evicting as few (and as
// unimportant) pods as possible; delete those victims and nominate the node
// (status.nominatedNodeName) so the pod lands there once they are gone.
// Nodes whose failure no eviction can cure (UnschedulableAndUnresolvable) are
// skipped. PodDisruptionBudgets are not consulted.
#include "scheduler/framework/interface.h"

namespace kcpp::scheduler::plugins {

struct PreemptionCandidate {
  std::string node;
  std::vector<PodInfoPtr> victims;
};

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
                             std::vector<PodInfoPtr>& victims);
  Handle& handle_;
};

}  // namespace kcpp::scheduler::plugins
