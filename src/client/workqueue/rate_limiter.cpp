#include "client/workqueue/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace kcpp::client {

using namespace std::chrono_literals;

Clock::duration ItemExponentialRateLimiter::when(const std::string& item) {
  int failures = failures_[item]++;
  // 2^failures overflows long before the cap matters: stop doubling at the cap.
  double scaled = std::ldexp(static_cast<double>(base_.count()), std::min(failures, 62));
  if (scaled >= static_cast<double>(max_.count())) return max_;
  return Clock::duration(static_cast<Clock::duration::rep>(scaled));
}

int ItemExponentialRateLimiter::numRequeues(const std::string& item) const {
  auto it = failures_.find(item);
  return it == failures_.end() ? 0 : it->second;
}

Clock::duration BucketRateLimiter::when(const std::string&) {
  Clock::time_point now = currentTime();
  double elapsed = std::chrono::duration<double>(now - last_).count();
  last_ = now;
  tokens_ = std::min<double>(burst_, tokens_ + elapsed * qps_);
  tokens_ -= 1;  // reserve a token now, even if it is only there later
  if (tokens_ >= 0) return Clock::duration::zero();
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(-tokens_ / qps_));
}

Clock::duration MaxOfRateLimiter::when(const std::string& item) {
  return std::max(a_->when(item), b_->when(item));
}

void MaxOfRateLimiter::forget(const std::string& item) {
  a_->forget(item);
  b_->forget(item);
}

int MaxOfRateLimiter::numRequeues(const std::string& item) const {
  return std::max(a_->numRequeues(item), b_->numRequeues(item));
}

RateLimiterPtr defaultControllerRateLimiter() {
  return std::make_unique<MaxOfRateLimiter>(
      std::make_unique<ItemExponentialRateLimiter>(5ms, 1000s),
      std::make_unique<BucketRateLimiter>(10.0, 100));
}

}  // namespace kcpp::client
