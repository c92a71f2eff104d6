#pragma once
// NodeResourcesFit: the pod's requests must fit in what the node's pods leave
// of its allocatable (cpu, memory, ephemeral-storage, extended resources, and
// the pod count). Scores by LeastAllocated (default: spread) or MostAllocated
// (pack), weighted per resource (pluginConfig scoringStrategy).
#include <boost/json.hpp>

#include "scheduler/framework/interface.h"

namespace kcpp::scheduler::plugins {

struct ResourceWeight {
  std::string name;
  std::int64_t weight = 1;
};

class NodeResourcesFit final : public PreFilterPlugin, public FilterPlugin, public ScorePlugin {
 public:
  static constexpr const char* kName = "NodeResourcesFit";
  enum class Strategy { LeastAllocated, MostAllocated };
  // args: NodeResourcesFitArgs ({"scoringStrategy": {"type": ..., "resources": [...]}}).
  static Result<PluginPtr> create(const boost::json::object& args);

  NodeResourcesFit(Strategy strategy, std::vector<ResourceWeight> resources)
      : strategy_(strategy), resources_(std::move(resources)) {}
  std::string_view name() const override { return kName; }
  Status preFilter(CycleState& state, const PodInfo& pod, const Snapshot& snapshot) override;
  Status filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
  std::int64_t score(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;

 private:
  Strategy strategy_;
  std::vector<ResourceWeight> resources_;
};

// The reasons a pod does not fit a node ("Too many pods", "Insufficient cpu",
// ...) and whether evicting pods could never help (the request exceeds allocatable).
struct Insufficient {
  std::vector<std::string> reasons;
  bool unresolvable = false;
};
Insufficient insufficientResources(const PodInfo& pod, const NodeInfo& node);

class NodeResourcesBalancedAllocation final : public PreScorePlugin, public ScorePlugin {
 public:
  static constexpr const char* kName = "NodeResourcesBalancedAllocation";
  std::string_view name() const override { return kName; }
  Status preScore(CycleState& state, const PodInfo& pod, const std::vector<const NodeInfo*>& nodes,
                  const Snapshot& snapshot) override;
  std::int64_t score(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
};

}  // namespace kcpp::scheduler::plugins
