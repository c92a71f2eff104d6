#pragma once
// InterPodAffinity: required pod affinity (the node's topology domain must hold
// a pod matching each term, unless no pod anywhere does and the pod matches
// itself), required anti-affinity (no matching pod in the domain), and existing
// pods' required anti-affinity against the incoming pod (Filter); preferred
// affinity/anti-affinity weights per matching pod in the node's domain
// (Score). Not done: namespaceSelector other than {} (all namespaces), and
// existing pods' preferred terms (upstream's symmetric scoring).
#include "scheduler/framework/interface.h"

namespace kcpp::scheduler::plugins {

class InterPodAffinity final : public PreFilterPlugin, public FilterPlugin, public PreScorePlugin, public ScorePlugin {
 public:
  static constexpr const char* kName = "InterPodAffinity";
  static constexpr const char* kExistingAntiAffinity = "node(s) didn't satisfy existing pods anti-affinity rules";
  static constexpr const char* kAffinity = "node(s) didn't match pod affinity rules";
  static constexpr const char* kAntiAffinity = "node(s) didn't match pod anti-affinity rules";
  std::string_view name() const override { return kName; }
  Status preFilter(CycleState& state, const PodInfo& pod, const Snapshot& snapshot) override;
  void addPod(CycleState& state, const PodInfo& pod, const PodInfo& added, const NodeInfo& node) const override;
  void removePod(CycleState& state, const PodInfo& pod, const PodInfo& removed, const NodeInfo& node) const override;
  Status filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
  Status preScore(CycleState& state, const PodInfo& pod, const std::vector<const NodeInfo*>& nodes,
                  const Snapshot& snapshot) override;
  std::int64_t score(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
  void normalize(const CycleState& state, const PodInfo& pod, std::vector<std::int64_t>& scores) const override;
};

}  // namespace kcpp::scheduler::plugins
