#pragma once
// Per-key exponential back-off as upstream's client-go flowcontrol.Backoff, used
// for restarting crashed containers (CrashLoopBackOff): 10 s doubling to 5 min,
// forgotten once an entry has not been touched for twice the maximum (10 min).

#include <chrono>
#include <map>
#include <string>

namespace kcpp::kubelet::kuberuntime {

class Backoff {
 public:
  using Clock = std::chrono::system_clock;
  using Duration = std::chrono::milliseconds;

  Backoff(Duration initial = std::chrono::seconds(10), Duration max = std::chrono::minutes(5))
      : initial_(initial), max_(max) {}

  // The back-off after an event at `eventTime` (a container's exit): the
  // initial one for a new or expired key, else double the last, capped.
  void next(const std::string& key, Clock::time_point eventTime);
  // Whether a restart at `now` still falls in the back-off that began at
  // `eventTime` (IsInBackOffSince).
  bool inBackOffSince(const std::string& key, Clock::time_point eventTime, Clock::time_point now) const;
  // The current back-off of `key` (zero when none).
  Duration get(const std::string& key) const;
  void reset(const std::string& key) { entries_.erase(key); }
  // Drops entries untouched for twice the maximum (GC).
  void collect(Clock::time_point now);

 private:
  struct Entry {
    Duration backoff{};
    Clock::time_point lastUpdate{};
  };
  bool expired(Clock::time_point eventTime, Clock::time_point lastUpdate) const {
    return eventTime - lastUpdate > 2 * max_;
  }

  Duration initial_;
  Duration max_;
  std::map<std::string, Entry> entries_;
};

}  // namespace kcpp::kubelet::kuberuntime
