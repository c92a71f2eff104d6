#pragma once
// PodTopologySpread: a pod's topologySpreadConstraints. DoNotSchedule ones
// filter out nodes where placing the pod would make the difference between
// the fullest and the emptiest domain (matching pods per topology value)
// exceed maxSkew; ScheduleAnyway ones prefer nodes in emptier domains.
// Counted over the nodes that have the topology label and match the pod's
// nodeSelector/affinity (nodeAffinityPolicy: Honor).
//
// A pod without constraints of its own gets the profile's default ones
// (PodTopologySpreadArgs.defaultingType): with "System" (the default) upstream's
// system defaults, hostname maxSkew 3 and zone maxSkew 5, both ScheduleAnyway,
// so they only score; with "List" the args' defaultConstraints. Their selector
// is the pod's DefaultSelector: the selectors of the Services selecting the pod
// and of its owning ReplicationController, ReplicaSet or StatefulSet; none, no
// default spreading. Not done: matchLabelKeys, nodeTaintsPolicy.
#include <unordered_map>

#include "scheduler/framework/interface.h"
#include "util/error.h"

namespace kcpp::scheduler::plugins {

// Matching pods per node, per (namespace, selector), kept across cycles and
// recounted only for nodes whose pods changed (NodeInfo generation): a
// Deployment's pods all carry the same selector, so each cycle recounts the
// one node the previous pod went to instead of every pod in the cluster.
class SpreadCountCache {
 public:
  // `key` names (ns, selector) uniquely, e.g. ns + '\x1f' + selector.string().
  std::int64_t count(const NodeInfo& node, const std::string& ns, const selectors::LabelSelector& selector,
                     const std::string& key);

 private:
  struct Entry {
    const NodeInfo* node = nullptr;
    std::uint64_t generation = 0;
    std::size_t pods = 0;
    std::unordered_map<std::string, std::int64_t> counts;
  };
  std::unordered_map<std::string, Entry> byNode_;
};

class PodTopologySpread final : public PreFilterPlugin, public FilterPlugin, public PreScorePlugin, public ScorePlugin {
 public:
  static constexpr const char* kName = "PodTopologySpread";
  static constexpr const char* kReason = "node(s) didn't match pod topology spread constraints";
  static constexpr const char* kMissingLabel = "node(s) didn't match pod topology spread constraints (missing required label)";
  // No defaults (a plugin without a handle cannot find a pod's selectors).
  PodTopologySpread() = default;
  PodTopologySpread(Handle& handle, std::vector<TopologySpreadConstraint> defaults)
      : handle_(&handle), defaults_(std::move(defaults)) {}
  // From PodTopologySpreadArgs; errors as upstream's validation.
  static Result<PluginPtr> create(const boost::json::object& args, Handle& handle);
  // kubernetes.io/hostname maxSkew 3, topology.kubernetes.io/zone maxSkew 5, ScheduleAnyway.
  static std::vector<TopologySpreadConstraint> systemDefaultConstraints();

  std::string_view name() const override { return kName; }
  Status preFilter(CycleState& state, const PodInfo& pod, const Snapshot& snapshot) override;
  void addPod(CycleState& state, const PodInfo& pod, const PodInfo& added, const NodeInfo& node) const override;
  void removePod(CycleState& state, const PodInfo& pod, const PodInfo& removed, const NodeInfo& node) const override;
  Status filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
  Status preScore(CycleState& state, const PodInfo& pod, const std::vector<const NodeInfo*>& nodes,
                  const Snapshot& snapshot) override;
  std::int64_t score(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
  void normalize(const CycleState& state, const PodInfo& pod, std::vector<std::int64_t>& scores) const override;

  // The pod's own constraints, or the defaults with its DefaultSelector.
  std::vector<TopologySpreadConstraint> constraintsOf(const PodInfo& pod) const;

 private:
  Handle* handle_ = nullptr;
  std::vector<TopologySpreadConstraint> defaults_;
  SpreadCountCache counts_;
};

// Upstream's helper.DefaultSelector: the labels the Services selecting `pod`
// select on, plus the selector of its controller (RC, ReplicaSet, StatefulSet).
selectors::LabelSelector defaultSelector(const PodInfo& pod, const Handle& handle);

}  // namespace kcpp::scheduler::plugins
