#include "client/leaderelection/leader_elector.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdio>
#include <ctime>

namespace kcpp::client {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

namespace {

// metav1.MicroTime: RFC 3339 with microseconds, UTC.
std::string microTimeNow() {
  auto now = std::chrono::system_clock::now();
  std::time_t secs = std::chrono::system_clock::to_time_t(now);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(micros));
  return buf;
}

std::string specString(const json::object& lease, std::string_view field) {
  auto* spec = lease.if_contains("spec");
  if (!spec || !spec->is_object()) return "";
  auto* v = spec->get_object().if_contains(field);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

std::int64_t specInt(const json::object& lease, std::string_view field) {
  auto* spec = lease.if_contains("spec");
  if (!spec || !spec->is_object()) return 0;
  auto* v = spec->get_object().if_contains(field);
  return v && v->is_int64() ? v->get_int64() : 0;
}

}  // namespace

LeaderElector::LeaderElector(RestClient& client, LeaderElectionConfig config)
    : client_(client), config_(std::move(config)) {}

ResourcePath LeaderElector::leasePath(const std::string& name) const {
  return ResourcePath{"coordination.k8s.io", "v1", "leases", config_.leaseNamespace, name, "", ""};
}

json::object LeaderElector::leaseSpec(const json::object* old, bool acquiring) const {
  std::string now = microTimeNow();
  json::object spec;
  spec["holderIdentity"] = config_.identity;
  spec["leaseDurationSeconds"] =
      std::chrono::duration_cast<std::chrono::seconds>(config_.leaseDuration).count();
  spec["renewTime"] = now;
  std::int64_t transitions = old ? specInt(*old, "leaseTransitions") : 0;
  if (acquiring) {
    spec["acquireTime"] = now;
    // Taking an existing lease from anyone else (even a released one, holder "")
    // is a transition, as upstream counts it; creating the lease is not.
    if (old) ++transitions;
  } else if (old) {
    spec["acquireTime"] = specString(*old, "acquireTime");
  }
  spec["leaseTransitions"] = transitions;
  return spec;
}

asio::awaitable<bool> LeaderElector::tryAcquireOrRenew() {
  auto current = co_await client_.get(leasePath(config_.leaseName));
  if (!current && current.error().reason == Reason::NotFound) {
    json::object lease{{"apiVersion", "coordination.k8s.io/v1"}, {"kind", "Lease"}};
    lease["metadata"] = json::object{{"name", config_.leaseName}, {"namespace", config_.leaseNamespace}};
    lease["spec"] = leaseSpec(nullptr, true);
    const ResourcePath collection = leasePath("");
    auto created = co_await client_.create(collection, lease);
    if (!created) co_return false;
    observedHolder_ = config_.identity;
    observedRenewTime_ = specString(*created, "renewTime");
    observedAt_ = SteadyClock::now();
    co_return true;
  }
  if (!current) co_return false;
  std::string holder = specString(*current, "holderIdentity");
  std::string renewTime = specString(*current, "renewTime");
  if (holder != observedHolder_ || renewTime != observedRenewTime_) {
    observedHolder_ = holder;
    observedRenewTime_ = renewTime;
    observedAt_ = SteadyClock::now();
  }
  bool heldByOther = !holder.empty() && holder != config_.identity;
  if (heldByOther && SteadyClock::now() < observedAt_ + config_.leaseDuration) co_return false;
  json::object next = *current;
  next["spec"] = leaseSpec(&*current, holder != config_.identity);
  // The read resourceVersion stays in metadata: a concurrent change makes this a
  // conflict instead of two leaders.
  auto updated = co_await client_.update(leasePath(config_.leaseName), next);
  if (!updated) co_return false;
  observedHolder_ = config_.identity;
  observedRenewTime_ = specString(*updated, "renewTime");
  observedAt_ = SteadyClock::now();
  co_return true;
}

asio::awaitable<void> LeaderElector::release() {
  auto current = co_await client_.get(leasePath(config_.leaseName));
  if (!current || specString(*current, "holderIdentity") != config_.identity) co_return;
  json::object next = *current;
  json::object spec = leaseSpec(&*current, false);
  spec["holderIdentity"] = "";
  spec["leaseDurationSeconds"] = 1;
  next["spec"] = std::move(spec);
  auto updated = co_await client_.update(leasePath(config_.leaseName), next);
  (void)updated;  // best effort: the lease expires anyway
}

asio::awaitable<void> LeaderElector::sleep(std::chrono::milliseconds d) {
  sleeper_ = std::make_unique<asio::steady_timer>(co_await asio::this_coro::executor, d);
  boost::system::error_code ec;
  co_await sleeper_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  sleeper_.reset();
}

asio::awaitable<void> LeaderElector::run() {
  while (!stopped_) {
    while (!stopped_ && !co_await tryAcquireOrRenew()) co_await sleep(config_.retryPeriod);
    if (stopped_) break;
    leading_ = true;
    if (config_.onStartedLeading) config_.onStartedLeading();
    auto lastRenew = SteadyClock::now();
    while (!stopped_) {
      co_await sleep(config_.retryPeriod);
      if (stopped_) break;
      if (co_await tryAcquireOrRenew()) {
        lastRenew = SteadyClock::now();
      } else if (SteadyClock::now() - lastRenew >= config_.renewDeadline) {
        break;  // could not renew in time: someone else may hold it now
      }
    }
    leading_ = false;
    if (stopped_) co_await release();
    if (config_.onStoppedLeading) config_.onStoppedLeading();
  }
}

void LeaderElector::stop() {
  stopped_ = true;
  if (sleeper_) sleeper_->cancel();
}

}  // namespace kcpp::client
