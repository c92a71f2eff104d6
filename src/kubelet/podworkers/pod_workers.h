#pragma once
// One worker per pod, as upstream's pkg/kubelet/pod_workers.go: a coroutine on
// the kubelet's executor that handles its pod one step at a time (never two
// syncs of one pod at once), woken by pod updates, by runtime events (the
// relist) and by a periodic resync. A pod moves through
//
//   syncing → terminating → terminated → (removed)
//
// syncing runs SyncPod until the pod is deleted, removed from its source or
// reaches a terminal phase; terminating stops its containers (retried until
// done); terminated cleans up (and, for a pod deleted through the API, deletes
// it there) — then the worker ends. A pod that finished without being deleted
// stays terminated (its containers kept for logs) until it is deleted.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "kubelet/podworkers/pod_update.h"
#include "util/error.h"

namespace kcpp::kubelet::podworkers {

namespace json = boost::json;
template <class T>
using Awaitable = boost::asio::awaitable<T>;

struct SyncOutcome {
  bool terminal = false;  // the pod reached Succeeded/Failed (or its deadline): stop it
  std::optional<std::chrono::milliseconds> retryAfter;  // sooner than the resync (back-offs, errors)
};

// What a worker does at each step; the Kubelet implements it.
class PodSyncer {
 public:
  virtual ~PodSyncer() = default;
  virtual Awaitable<SyncOutcome> syncPod(const json::object& pod) = 0;
  // Stops every container and the sandbox; an Error is retried.
  virtual Awaitable<Result<void>> terminatePod(const json::object& pod) = 0;
  // After terminatePod: cleanup; `gone` when the pod was deleted or removed
  // from its source (remove containers, delete the API object).
  virtual Awaitable<Result<void>> terminatedPod(const json::object& pod, bool gone) = 0;
};

enum class WorkerState { Syncing, Terminating, Terminated };
const char* stateName(WorkerState s);

struct PodWorkersOptions {
  std::chrono::milliseconds resyncInterval{std::chrono::seconds(10)};
  std::chrono::milliseconds errorBackoff{std::chrono::seconds(1)};
};

class PodWorkers {
 public:
  PodWorkers(boost::asio::any_io_executor executor, PodSyncer& syncer, PodWorkersOptions options = {});
  ~PodWorkers();
  PodWorkers(const PodWorkers&) = delete;
  PodWorkers& operator=(const PodWorkers&) = delete;

  // Delivers a pod update; starts the pod's worker when it has none.
  void updatePod(const json::object& pod, PodOperation op);
  // Sync soon (a runtime event for the pod).
  void notify(const std::string& uid);

  std::optional<WorkerState> state(const std::string& uid) const;
  bool finished(const std::string& uid) const { return finished_.count(uid) > 0; }
  std::vector<std::string> uids() const;
  std::size_t size() const { return workers_.size(); }
  // The latest pod object a worker holds.
  std::optional<json::object> pod(const std::string& uid) const;

  // Workers end after their current step.
  void stop();
  // Worker coroutines still alive (after stop(): those finishing a step).
  int live() const { return *live_; }

 private:
  struct Worker;
  Awaitable<void> runWorker(std::shared_ptr<Worker> worker);
  Awaitable<void> step(Worker& worker, std::chrono::milliseconds& wait);

  boost::asio::any_io_executor executor_;
  PodSyncer& syncer_;
  PodWorkersOptions options_;
  std::map<std::string, std::shared_ptr<Worker>> workers_;
  // Pods whose worker finished: late updates about them (the watch's DELETED
  // after the kubelet's own delete) must not start a new worker.
  std::set<std::string> finished_;
  std::shared_ptr<bool> stopped_ = std::make_shared<bool>(false);
  std::shared_ptr<int> live_ = std::make_shared<int>(0);
};

}  // namespace kcpp::kubelet::podworkers
