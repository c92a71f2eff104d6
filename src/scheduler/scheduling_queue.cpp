#include "scheduler/scheduling_queue.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace kcpp::scheduler {

namespace asio = boost::asio;

bool SchedulingQueue::ActiveOrder::operator()(const Entry& a, const Entry& b) const {
  if (q->less_(*a, *b)) return true;
  if (q->less_(*b, *a)) return false;
  return a->pod->key < b->pod->key;  // a strict order: distinct pods never compare equal
}

SchedulingQueue::SchedulingQueue(asio::any_io_executor executor, Less less, QueueOptions options)
    : executor_(std::move(executor)), less_(std::move(less)), options_(options), active_(ActiveOrder{this}) {}

void SchedulingQueue::wake() {
  if (waiter_) waiter_->cancel();
}

void SchedulingQueue::pushActive(Entry e) {
  std::string key = e->pod->key;
  auto [it, inserted] = active_.insert(std::move(e));
  if (inserted) activeIndex_[key] = it;
  wake();
}

void SchedulingQueue::pushBackoff(Entry e) {
  std::string key = e->pod->key;
  backoffOrder_.emplace(backoffExpiry(*e), key);
  backoff_[key] = std::move(e);
}

std::chrono::milliseconds SchedulingQueue::backoffDuration(int attempts) const {
  std::chrono::milliseconds d = options_.initialBackoff;
  for (int i = 1; i < attempts; ++i) {
    d *= 2;
    if (d > options_.maxBackoff) return options_.maxBackoff;
  }
  return d;
}

SchedulingQueue::Clock::time_point SchedulingQueue::backoffExpiry(const QueuedPodInfo& p) const {
  return p.timestamp + backoffDuration(std::max(p.attempts, 1));
}

void SchedulingQueue::toActiveOrBackoff(Entry e, Clock::time_point now) {
  if (e->attempts > 0 && backoffExpiry(*e) > now) {
    pushBackoff(std::move(e));
  } else {
    pushActive(std::move(e));
  }
}

bool SchedulingQueue::eraseEverywhere(const std::string& key) {
  if (auto it = activeIndex_.find(key); it != activeIndex_.end()) {
    active_.erase(it->second);
    activeIndex_.erase(it);
    return true;
  }
  if (auto it = backoff_.find(key); it != backoff_.end()) {
    backoffOrder_.erase({backoffExpiry(*it->second), key});
    backoff_.erase(it);
    return true;
  }
  return unschedulable_.erase(key) > 0;
}

void SchedulingQueue::add(PodInfoPtr pod) {
  std::string key = pod->key;
  if (inFlight_.count(key)) {
    inFlight_[key] = std::move(pod);
    return;
  }
  eraseEverywhere(key);
  auto now = Clock::now();
  pushActive(std::make_shared<QueuedPodInfo>(QueuedPodInfo{std::move(pod), now, now, 0}));
}

void SchedulingQueue::update(PodInfoPtr pod) {
  const std::string key = pod->key;
  if (auto it = inFlight_.find(key); it != inFlight_.end()) {
    it->second = std::move(pod);
    return;
  }
  if (auto it = activeIndex_.find(key); it != activeIndex_.end()) {
    Entry e = *it->second;
    active_.erase(it->second);
    activeIndex_.erase(it);
    e->pod = std::move(pod);
    pushActive(std::move(e));
    return;
  }
  if (auto it = backoff_.find(key); it != backoff_.end()) {
    it->second->pod = std::move(pod);
    return;
  }
  if (auto it = unschedulable_.find(key); it != unschedulable_.end()) {
    Entry e = it->second;
    unschedulable_.erase(it);
    // Only a change the pod's author made is a reason to retry (not our status writes).
    const auto& oldObj = *e->pod->object;
    const auto& newObj = *pod->object;
    bool specChanged = oldObj.if_contains("spec") && newObj.if_contains("spec") &&
                       (*oldObj.if_contains("spec") != *newObj.if_contains("spec") ||
                        e->pod->labels != pod->labels);
    e->pod = std::move(pod);
    if (specChanged) {
      toActiveOrBackoff(std::move(e), Clock::now());
    } else {
      unschedulable_[key] = std::move(e);
    }
    return;
  }
  add(std::move(pod));
}

void SchedulingQueue::remove(const std::string& key) {
  if (inFlight_.count(key)) deletedInFlight_.insert(key);
  eraseEverywhere(key);
}

asio::awaitable<std::optional<QueuedPodInfo>> SchedulingQueue::pop() {
  while (active_.empty() && !closed_) {
    waiter_ = std::make_unique<asio::steady_timer>(executor_, Clock::time_point::max());
    boost::system::error_code ec;
    co_await waiter_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    waiter_.reset();
  }
  if (closed_) co_return std::nullopt;
  Entry e = *active_.begin();
  active_.erase(active_.begin());
  activeIndex_.erase(e->pod->key);
  ++cycle_;
  ++e->attempts;
  inFlight_[e->pod->key] = e->pod;
  co_return *e;
}

void SchedulingQueue::requeueFailed(QueuedPodInfo pod, bool unschedulable, std::uint64_t podCycle) {
  std::string key = pod.pod->key;
  auto flight = inFlight_.find(key);
  bool updated = false;
  if (flight != inFlight_.end()) {
    updated = flight->second != pod.pod;
    pod.pod = flight->second;
    inFlight_.erase(flight);
  }
  if (deletedInFlight_.erase(key) > 0) return;
  if (activeIndex_.count(key) || backoff_.count(key) || unschedulable_.count(key)) return;
  auto now = Clock::now();
  pod.timestamp = now;
  auto e = std::make_shared<QueuedPodInfo>(std::move(pod));
  // An event during the attempt (or the pod's own change) may have made it fit.
  if (!unschedulable || updated || moveRequestCycle_ >= podCycle) {
    pushBackoff(std::move(e));
  } else {
    unschedulable_[key] = std::move(e);
  }
}

void SchedulingQueue::done(const std::string& key) {
  inFlight_.erase(key);
  deletedInFlight_.erase(key);
}

void SchedulingQueue::moveAllToActiveOrBackoff() {
  auto now = Clock::now();
  auto pods = std::move(unschedulable_);
  unschedulable_.clear();
  for (auto& [key, e] : pods) toActiveOrBackoff(std::move(e), now);
  moveRequestCycle_ = cycle_;
}

void SchedulingQueue::flushBackoffCompleted(Clock::time_point now) {
  while (!backoffOrder_.empty() && backoffOrder_.begin()->first <= now) {
    std::string key = backoffOrder_.begin()->second;
    backoffOrder_.erase(backoffOrder_.begin());
    auto it = backoff_.find(key);
    if (it == backoff_.end()) continue;
    Entry e = std::move(it->second);
    backoff_.erase(it);
    pushActive(std::move(e));
  }
}

void SchedulingQueue::flushUnschedulableLeftover(Clock::time_point now) {
  std::vector<std::string> due;
  for (const auto& [key, e] : unschedulable_) {
    if (now - e->timestamp > options_.maxInUnschedulable) due.push_back(key);
  }
  for (const std::string& key : due) {
    Entry e = std::move(unschedulable_[key]);
    unschedulable_.erase(key);
    toActiveOrBackoff(std::move(e), now);
  }
}

asio::awaitable<void> SchedulingQueue::run() {
  auto lastLeftover = Clock::now();
  while (!closed_) {
    ticker_ = std::make_unique<asio::steady_timer>(executor_, options_.flushPeriod);
    boost::system::error_code ec;
    co_await ticker_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (closed_) break;
    auto now = Clock::now();
    flushBackoffCompleted(now);
    if (now - lastLeftover >= std::chrono::seconds(30)) {
      flushUnschedulableLeftover(now);
      lastLeftover = now;
    }
  }
}

void SchedulingQueue::close() {
  closed_ = true;
  wake();
  if (ticker_) ticker_->cancel();
}

}  // namespace kcpp::scheduler
