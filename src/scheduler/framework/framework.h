#pragma once
// Framework: one profile's plugins, instantiated from the registry and run at
// each extension point in the configured order (upstream's frameworkImpl).

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "scheduler/framework/interface.h"

namespace kcpp::scheduler {

struct PluginRef {
  std::string name;
  std::int32_t weight = 1;  // Score only
};

// A resolved profile: which plugins run at each extension point.
struct Profile {
  std::string schedulerName = "default-scheduler";
  std::vector<std::string> queueSort, preFilter, filter, postFilter, preScore, reserve, permit, preBind, bind;
  std::vector<PluginRef> score;
  std::map<std::string, boost::json::object> pluginArgs;  // pluginConfig, by plugin name
  int percentageOfNodesToScore = 0;                      // 0: adaptive
};

class Framework;
using FrameworkPtr = std::unique_ptr<Framework>;

class Framework {
 public:
  // Errors: an unknown plugin, a plugin that does not implement an extension
  // point it is enabled at, not exactly one QueueSort, no Bind plugin.
  static Result<FrameworkPtr> create(const PluginRegistry& registry, const Profile& profile, Handle& handle);

  const Profile& profile() const { return profile_; }
  const std::string& schedulerName() const { return profile_.schedulerName; }

  bool less(const QueuedPodInfo& a, const QueuedPodInfo& b) const { return queueSort_->less(a, b); }
  Status runPreFilter(CycleState& state, const PodInfo& pod, const Snapshot& snapshot);
  void runPreFilterAddPod(CycleState& state, const PodInfo& pod, const PodInfo& added, const NodeInfo& node);
  void runPreFilterRemovePod(CycleState& state, const PodInfo& pod, const PodInfo& removed, const NodeInfo& node);
  Status runFilter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const;
  bool hasPostFilter() const { return !postFilter_.empty(); }
  boost::asio::awaitable<PostFilterResult> runPostFilter(CycleState& state, PodInfoPtr pod,
                                                         const std::map<std::string, Status>& filtered);
  Status runPreScore(CycleState& state, const PodInfo& pod, const std::vector<const NodeInfo*>& nodes,
                     const Snapshot& snapshot);
  // The weighted total score of each node (same order as `nodes`).
  std::vector<std::int64_t> runScore(const CycleState& state, const PodInfo& pod,
                                     const std::vector<const NodeInfo*>& nodes) const;
  Status runReserve(CycleState& state, const PodInfo& pod, const std::string& node);
  void runUnreserve(CycleState& state, const PodInfo& pod, const std::string& node);
  Status runPermit(CycleState& state, const PodInfo& pod, const std::string& node);
  // In the binding cycle, before Bind (e.g. VolumeBinding's API writes).
  boost::asio::awaitable<Status> runPreBind(std::shared_ptr<CycleState> state, PodInfoPtr pod, std::string node);
  boost::asio::awaitable<Status> runBind(PodInfoPtr pod, std::string node);

 private:
  Framework() = default;

  Profile profile_;
  std::map<std::string, PluginPtr> plugins_;
  QueueSortPlugin* queueSort_ = nullptr;
  std::vector<PreFilterPlugin*> preFilter_;
  std::vector<FilterPlugin*> filter_;
  std::vector<PostFilterPlugin*> postFilter_;
  std::vector<PreScorePlugin*> preScore_;
  std::vector<std::pair<ScorePlugin*, std::int32_t>> score_;
  std::vector<ReservePlugin*> reserve_;
  std::vector<PermitPlugin*> permit_;
  std::vector<PreBindPlugin*> preBind_;
  std::vector<BindPlugin*> bind_;
};

}  // namespace kcpp::scheduler
