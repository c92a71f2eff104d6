#pragma once
// Clock: where controllers that act on wall-clock time (Job deadlines and
// backoff, CronJob schedules, TTL-after-finished) read "now", so that unit
// tests can move time by hand (upstream's k8s.io/utils/clock).

#include <chrono>
#include <memory>

namespace kcpp::controllers {

class Clock {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};
using ClockPtr = std::shared_ptr<Clock>;

class RealClock : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
};

// Test-only: stands still until told to move.
class FakeClock : public Clock {
 public:
  explicit FakeClock(TimePoint start) : now_(start) {}
  TimePoint now() const override { return now_; }
  void set(TimePoint t) { now_ = t; }
  void step(std::chrono::system_clock::duration d) { now_ += d; }

 private:
  TimePoint now_;
};

inline ClockPtr realClock() { return std::make_shared<RealClock>(); }

}  // namespace kcpp::controllers
