#pragma once
// Rate limiters for work queues, as upstream's client-go workqueue: how long an
// item waits before it is retried. The default is the maximum of a per-item
// exponential backoff (5 ms doubling to 1000 s) and an overall token bucket
// (10 per second, burst 100).

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace kcpp::client {

using Clock = std::chrono::steady_clock;

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // How long `item` should wait now (and records the attempt).
  virtual Clock::duration when(const std::string& item) = 0;
  // Stops tracking `item` (it succeeded).
  virtual void forget(const std::string& item) = 0;
  // How many times `item` has been retried since it was last forgotten.
  virtual int numRequeues(const std::string& item) const = 0;
};
using RateLimiterPtr = std::unique_ptr<RateLimiter>;

// base * 2^failures, capped at max, per item.
class ItemExponentialRateLimiter : public RateLimiter {
 public:
  ItemExponentialRateLimiter(Clock::duration base, Clock::duration max) : base_(base), max_(max) {}
  Clock::duration when(const std::string& item) override;
  void forget(const std::string& item) override { failures_.erase(item); }
  int numRequeues(const std::string& item) const override;

 private:
  Clock::duration base_;
  Clock::duration max_;
  std::map<std::string, int> failures_;
};

// A token bucket shared by all items: `qps` tokens per second, at most `burst` saved.
class BucketRateLimiter : public RateLimiter {
 public:
  BucketRateLimiter(double qps, int burst, Clock::time_point now = Clock::now())
      : qps_(qps), burst_(burst), tokens_(burst), last_(now) {}
  Clock::duration when(const std::string& item) override;
  void forget(const std::string&) override {}
  int numRequeues(const std::string&) const override { return 0; }
  // For tests: the clock the bucket refills by.
  void setNow(Clock::time_point now) { now_ = now; }

 private:
  Clock::time_point currentTime() const { return now_ ? *now_ : Clock::now(); }
  double qps_;
  int burst_;
  double tokens_;
  Clock::time_point last_;
  std::optional<Clock::time_point> now_;
};

// The longest wait any of its limiters asks for.
class MaxOfRateLimiter : public RateLimiter {
 public:
  MaxOfRateLimiter(RateLimiterPtr a, RateLimiterPtr b) : a_(std::move(a)), b_(std::move(b)) {}
  Clock::duration when(const std::string& item) override;
  void forget(const std::string& item) override;
  int numRequeues(const std::string& item) const override;

 private:
  RateLimiterPtr a_;
  RateLimiterPtr b_;
};

// Upstream's DefaultControllerRateLimiter.
RateLimiterPtr defaultControllerRateLimiter();

}  // namespace kcpp::client
