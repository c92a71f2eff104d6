#pragma once
// Scheduler: watches pods and nodes, keeps the Cache and the SchedulingQueue,
// and runs the scheduling loop (upstream's pkg/scheduler): pop a pod, filter
// and score nodes with the pod's profile, assume it on the best node, and bind
// asynchronously (many binds in flight) while the next pod is scheduled. Pods
// that fit nowhere get PodScheduled=False (reason Unschedulable) and a
// FailedScheduling event, and wait in the queue for a cluster change.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/informer/informer_factory.h"
#include "client/rest/rest_client.h"
#include "scheduler/cache.h"
#include "scheduler/event_sink.h"
#include "scheduler/framework/framework.h"
#include "scheduler/scheduling_queue.h"

namespace kcpp::scheduler {

struct SchedulerOptions {
  std::vector<Profile> profiles;  // at least one; schedulerNames distinct
  QueueOptions queue;
  // Binds in flight at once: each takes ~2 ms on the server, so 64 allow far
  // more than the server's write rate while staying under its in-flight limit.
  int maxBindsInFlight = 64;
};

// The outcome of placing one pod (for tests and the benchmark).
struct ScheduleResult {
  std::string node;                  // empty: no fit
  std::optional<FitError> fitError;  // set when no node fits
  Status status;                     // other failures
};

class Scheduler {
 public:
  static Result<std::unique_ptr<Scheduler>> create(client::RestClient& client, client::InformerFactory& informers,
                                                   boost::asio::any_io_executor executor, SchedulerOptions options,
                                                   const PluginRegistry& registry);
  ~Scheduler();

  // Waits for the informers' first lists, then schedules until stop().
  boost::asio::awaitable<void> run();
  void stop();

  Cache& cache() { return cache_; }
  SchedulingQueue& queue() { return *queue_; }
  std::uint64_t scheduledCount() const { return bound_; }

  // Upstream's numFeasibleNodesToFind: how many feasible nodes are enough.
  static int numFeasibleNodesToFind(int percentageOfNodesToScore, int numAllNodes);
  // One scheduling attempt's decision (no API writes): used by scheduleOne.
  ScheduleResult schedulePod(Framework& framework, CycleState& state, const PodInfo& pod);

  class ProfileHandle;

 private:
  Scheduler(client::RestClient& client, client::InformerFactory& informers, boost::asio::any_io_executor executor,
            SchedulerOptions options);
  void addHandlers();
  void onPodAdd(const client::ObjectPtr& obj);
  void onPodUpdate(const client::ObjectPtr& oldObj, const client::ObjectPtr& newObj);
  void onPodDelete(const client::ObjectPtr& obj);
  void onNodeAdd(const client::ObjectPtr& obj);
  void onNodeUpdate(const client::ObjectPtr& oldObj, const client::ObjectPtr& newObj);
  Framework* frameworkFor(const std::string& schedulerName);

  boost::asio::awaitable<void> scheduleOne(QueuedPodInfo queued);
  boost::asio::awaitable<void> bindingCycle(Framework& framework, std::shared_ptr<CycleState> state,
                                            PodInfoPtr assumed, QueuedPodInfo queued);
  boost::asio::awaitable<void> handleFailure(Framework& framework, QueuedPodInfo queued, std::uint64_t cycle,
                                             bool unschedulable, std::string reason, std::string message,
                                             std::string nominatedNode);
  std::vector<const NodeInfo*> findNodesThatFit(Framework& framework, CycleState& state, const PodInfo& pod,
                                                const Snapshot& snapshot, FitError& diagnosis);
  // Filter, counting the pods nominated to the node (of at least the pod's
  // priority) as if they ran there, so room a preemption made stays theirs.
  Status filterWithNominatedPods(Framework& framework, const CycleState& state, const PodInfo& pod,
                                 const NodeInfo& node);
  std::string selectHost(const std::vector<const NodeInfo*>& nodes, const std::vector<std::int64_t>& scores);

  // API writes (also what plugins reach through their Handle).
  boost::asio::awaitable<Status> bindPod(const PodInfo& pod, const std::string& node);
  boost::asio::awaitable<Status> deletePod(const PodInfo& victim, const PodInfo& preemptor, const std::string& node);
  boost::asio::awaitable<Status> patchPodStatus(const PodInfo& pod, const std::string& reason,
                                                const std::string& message, const std::string& nominatedNode,
                                                bool setNominated);
  void recordEvent(const PodInfo& pod, const std::string& type, const std::string& reason,
                   const std::string& message);

  client::RestClient& client_;
  client::InformerFactory& informers_;
  boost::asio::any_io_executor executor_;
  SchedulerOptions options_;
  Cache cache_;
  std::unique_ptr<SchedulingQueue> queue_;
  std::vector<std::unique_ptr<ProfileHandle>> handles_;
  std::map<std::string, FrameworkPtr> frameworks_;  // by schedulerName
  std::unique_ptr<EventSink> events_;
  std::map<std::string, std::vector<PodInfoPtr>> nominated_;  // node → pods nominated to it
  int nextStartNodeIndex_ = 0;
  std::uint64_t tieBreaker_ = 0;
  int bindsInFlight_ = 0;
  std::uint64_t bound_ = 0;
  bool stopped_ = false;
  std::unique_ptr<boost::asio::steady_timer> bindSlot_;  // waits for a bind to end
};
using SchedulerPtr = std::unique_ptr<Scheduler>;

}  // namespace kcpp::scheduler
