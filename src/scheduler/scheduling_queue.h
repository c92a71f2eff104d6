#pragma once
// SchedulingQueue: the pods waiting to be scheduled (upstream's
// PriorityQueue). activeQ is ordered by the profile's QueueSort plugin;
// backoffQ holds pods that failed until their backoff (1 s doubling to 10 s
// per attempt) ends; unschedulable pods wait for a cluster event that may make
// them schedulable (node added or changed, a bound pod deleted, ...), or for
// 5 minutes, whichever comes first.
//
// Not thread-safe: use on the scheduler's executor.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include "scheduler/framework/interface.h"

namespace kcpp::scheduler {

struct QueueOptions {
  std::chrono::milliseconds initialBackoff{1000};
  std::chrono::milliseconds maxBackoff{10000};
  std::chrono::milliseconds maxInUnschedulable{std::chrono::minutes(5)};
  std::chrono::milliseconds flushPeriod{1000};  // backoff → active check
};

class SchedulingQueue {
 public:
  using Clock = std::chrono::steady_clock;
  using Less = std::function<bool(const QueuedPodInfo&, const QueuedPodInfo&)>;

  SchedulingQueue(boost::asio::any_io_executor executor, Less less, QueueOptions options = {});

  // A new pending pod (informer add).
  void add(PodInfoPtr pod);
  // A pending pod changed: the newest version is kept; an unschedulable pod
  // whose spec changed gets another try.
  void update(PodInfoPtr pod);
  void remove(const std::string& key);
  // The next pod to schedule, waiting while there is none; nullopt once closed.
  boost::asio::awaitable<std::optional<QueuedPodInfo>> pop();
  // A pod whose attempt failed: unschedulable ones wait for an event (unless
  // one came during their attempt), errors back off.
  void requeueFailed(QueuedPodInfo pod, bool unschedulable, std::uint64_t podCycle);
  // A pod bound (or being bound): it is not pending any more.
  void done(const std::string& key);
  // A cluster event that may make unschedulable pods fit.
  void moveAllToActiveOrBackoff();
  // Periodic work: backoff ends, unschedulable pods past maxInUnschedulable.
  void flushBackoffCompleted(Clock::time_point now);
  void flushUnschedulableLeftover(Clock::time_point now);
  // Runs the periodic flushes until close().
  boost::asio::awaitable<void> run();
  void close();

  std::uint64_t schedulingCycle() const { return cycle_; }
  std::size_t activeCount() const { return active_.size(); }
  std::size_t backoffCount() const { return backoff_.size(); }
  std::size_t unschedulableCount() const { return unschedulable_.size(); }
  // The backoff a pod gets after `attempts` attempts.
  std::chrono::milliseconds backoffDuration(int attempts) const;

 private:
  using Entry = std::shared_ptr<QueuedPodInfo>;
  struct ActiveOrder {
    const SchedulingQueue* q;
    bool operator()(const Entry& a, const Entry& b) const;
  };
  void pushActive(Entry e);
  void pushBackoff(Entry e);
  void toActiveOrBackoff(Entry e, Clock::time_point now);
  Clock::time_point backoffExpiry(const QueuedPodInfo& p) const;
  bool eraseEverywhere(const std::string& key);
  void wake();

  boost::asio::any_io_executor executor_;
  Less less_;
  QueueOptions options_;
  std::set<Entry, ActiveOrder> active_;
  std::unordered_map<std::string, std::set<Entry, ActiveOrder>::iterator> activeIndex_;
  std::set<std::pair<Clock::time_point, std::string>> backoffOrder_;
  std::unordered_map<std::string, Entry> backoff_;
  std::unordered_map<std::string, Entry> unschedulable_;
  // Pods popped and not yet requeued or done: a newer version or a deletion
  // that arrives meanwhile is applied when they come back.
  std::unordered_map<std::string, PodInfoPtr> inFlight_;
  std::set<std::string> deletedInFlight_;
  std::uint64_t cycle_ = 0;
  std::uint64_t moveRequestCycle_ = 0;
  bool closed_ = false;
  std::unique_ptr<boost::asio::steady_timer> waiter_;
  std::unique_ptr<boost::asio::steady_timer> ticker_;
};

}  // namespace kcpp::scheduler
