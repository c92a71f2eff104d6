#pragma once
// The plugin interfaces, one per extension point (upstream's
// framework/interface.go). A plugin implements the ones it needs; the
// Framework finds them by type. Everything but Bind runs synchronously on the
// scheduler's executor, so a cycle sees one consistent snapshot.

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "scheduler/framework/node_info.h"
#include "scheduler/framework/status.h"
#include "util/error.h"

namespace kcpp::scheduler {

constexpr std::int64_t kMaxNodeScore = 100;

// Per-cycle data a plugin computes in PreFilter/PreScore and reads later.
struct StateData {
  virtual ~StateData() = default;
  virtual std::shared_ptr<StateData> clone() const = 0;
};

class CycleState {
 public:
  void write(const std::string& key, std::shared_ptr<StateData> data) { data_[key] = std::move(data); }
  template <class T>
  T* read(const std::string& key) const {
    auto it = data_.find(key);
    return it == data_.end() ? nullptr : dynamic_cast<T*>(it->second.get());
  }
  // Plugins whose PreFilter/PreScore said Skip: their Filter/Score do not run.
  std::vector<std::string> skipFilter, skipScore;

  // A deep copy, for preemption's what-if filtering.
  CycleState clone() const {
    CycleState copy;
    copy.skipFilter = skipFilter;
    copy.skipScore = skipScore;
    for (const auto& [k, v] : data_) copy.data_[k] = v ? v->clone() : nullptr;
    return copy;
  }

 private:
  std::map<std::string, std::shared_ptr<StateData>> data_;
};

// A pod waiting in the scheduling queue.
struct QueuedPodInfo {
  PodInfoPtr pod;
  std::chrono::steady_clock::time_point timestamp;         // when it (re)entered the queue
  std::chrono::steady_clock::time_point initialTimestamp;  // first entry
  int attempts = 0;
};

class Plugin {
 public:
  virtual ~Plugin() = default;
  virtual std::string_view name() const = 0;
};
using PluginPtr = std::shared_ptr<Plugin>;

class QueueSortPlugin : public virtual Plugin {
 public:
  virtual bool less(const QueuedPodInfo& a, const QueuedPodInfo& b) const = 0;
};

class PreFilterPlugin : public virtual Plugin {
 public:
  // Skip: Filter of this plugin is not needed for this pod.
  virtual Status preFilter(CycleState& state, const PodInfo& pod, const Snapshot& snapshot) = 0;
  // PreFilterExtensions: keep the state right when preemption removes or adds
  // pods on a node in its what-if evaluation.
  virtual void addPod(CycleState&, const PodInfo& /*toSchedule*/, const PodInfo& /*added*/,
                      const NodeInfo& /*node*/) const {}
  virtual void removePod(CycleState&, const PodInfo& /*toSchedule*/, const PodInfo& /*removed*/,
                         const NodeInfo& /*node*/) const {}
};

class FilterPlugin : public virtual Plugin {
 public:
  virtual Status filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const = 0;
};

struct PostFilterResult {
  std::string nominatedNodeName;
  Status status;
};

class PostFilterPlugin : public virtual Plugin {
 public:
  virtual boost::asio::awaitable<PostFilterResult> postFilter(
      CycleState& state, PodInfoPtr pod, const std::map<std::string, Status>& filteredNodes) = 0;
};

class PreScorePlugin : public virtual Plugin {
 public:
  virtual Status preScore(CycleState& state, const PodInfo& pod,
                          const std::vector<const NodeInfo*>& nodes, const Snapshot& snapshot) = 0;
};

class ScorePlugin : public virtual Plugin {
 public:
  virtual std::int64_t score(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const = 0;
  // NormalizeScore: bring scores into 0..kMaxNodeScore (in place).
  virtual void normalize(const CycleState&, const PodInfo&, std::vector<std::int64_t>& /*scores*/) const {}
};

class ReservePlugin : public virtual Plugin {
 public:
  virtual Status reserve(CycleState& state, const PodInfo& pod, const std::string& node) = 0;
  virtual void unreserve(CycleState& state, const PodInfo& pod, const std::string& node) = 0;
};

// Permit: allow or reject a pod before binding (waiting is not supported).
class PermitPlugin : public virtual Plugin {
 public:
  virtual Status permit(CycleState& state, const PodInfo& pod, const std::string& node) = 0;
};

// PreBind: work the binding cycle must finish before the pod is bound (it may
// wait on the API), e.g. binding the pod's volumes.
class PreBindPlugin : public virtual Plugin {
 public:
  virtual boost::asio::awaitable<Status> preBind(std::shared_ptr<CycleState> state, PodInfoPtr pod,
                                                 std::string node) = 0;
};

class BindPlugin : public virtual Plugin {
 public:
  // Skip: let the next bind plugin do it.
  virtual boost::asio::awaitable<Status> bind(PodInfoPtr pod, std::string node) = 0;
};

class Framework;

// What plugins may use beyond their own arguments (upstream's framework.Handle).
class Handle {
 public:
  virtual ~Handle() = default;
  virtual const Snapshot& snapshot() const = 0;
  // Runs the profile's PreFilter-extended Filter plugins (preemption's what-if).
  virtual Framework& framework() = 0;
  // API writes plugins need (bind, delete victims, set nominatedNodeName).
  virtual boost::asio::awaitable<Status> bindPod(const PodInfo& pod, const std::string& node) = 0;
  // Deletes a preemption victim (and records its Preempted event).
  virtual boost::asio::awaitable<Status> deletePod(const PodInfo& victim, const PodInfo& preemptor,
                                                   const std::string& node) = 0;
  virtual boost::asio::awaitable<Status> setNominatedNode(const PodInfo& pod, const std::string& node) = 0;
  // An object of a resource the scheduler watches for its plugins
  // ("persistentvolumeclaims", "persistentvolumes", "storageclasses"); null if absent.
  virtual ObjectPtr lookup(const std::string& resource, const std::string& ns, const std::string& name) const = 0;
  // Every object of such a resource in namespace `ns` ("services",
  // "replicationcontrollers", "replicasets", "statefulsets",
  // "poddisruptionbudgets"): what selects pods.
  virtual std::vector<ObjectPtr> list(const std::string& /*resource*/, const std::string& /*ns*/) const { return {}; }
  // Replaces an object of such a resource (e.g. a claim, annotated): PUT with
  // its resourceVersion, so a concurrent change is a conflict.
  virtual boost::asio::awaitable<Status> updateObject(const std::string& /*resource*/,
                                                      boost::json::object /*object*/) {
    co_return Status::error("updates are not supported here");
  }
  // The pods nominated to `node` by earlier preemptions, still pending.
  virtual std::vector<PodInfoPtr> nominatedPods(const std::string& node) const = 0;
};

// name → factory; the factory gets the plugin's args (pluginConfig) and the handle.
using PluginFactory = std::function<Result<PluginPtr>(const boost::json::object& args, Handle& handle)>;
using PluginRegistry = std::map<std::string, PluginFactory>;

}  // namespace kcpp::scheduler
