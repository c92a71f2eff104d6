#pragma once
// SyncPacer: how long a pod change waits before its Service is synced. A sync
// of a Service costs time proportional to its pods (every pod is looked at), and
// kcpp's controllers run on one thread with their informers: if each of a big
// Service's pod events started a sync at once, the syncs would starve the
// informer and the controller would fall further behind with every event
// (measured: 3,000 pods flipping readiness took minutes to show). So a pod
// change waits max(batch period, twice the Service's last sync cost, capped at
// 1 s): small Services sync at once as upstream's default (batch period 0),
// big ones batch their changes and leave the thread free to read events.

#include <algorithm>
#include <chrono>
#include <map>
#include <string>

namespace kcpp::controllers::endpointutil {

class SyncPacer {
 public:
  using Duration = std::chrono::steady_clock::duration;

  explicit SyncPacer(std::chrono::milliseconds batchPeriod) : batchPeriod_(batchPeriod) {}

  Duration delayFor(const std::string& key) const {
    auto it = costs_.find(key);
    Duration paced = it == costs_.end() ? Duration::zero() : std::min<Duration>(2 * it->second, kMaxPace);
    return std::max<Duration>(batchPeriod_, paced);
  }
  void record(const std::string& key, Duration cost) { costs_[key] = cost; }
  void forget(const std::string& key) { costs_.erase(key); }

 private:
  static constexpr Duration kMaxPace = std::chrono::seconds(1);
  Duration batchPeriod_;
  std::map<std::string, Duration> costs_;
};

}  // namespace kcpp::controllers::endpointutil
