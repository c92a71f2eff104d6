#pragma once
// LeaderElector: one active instance among several of a component, as upstream's
// client-go leader election on a coordination.k8s.io/v1 Lease. A candidate takes
// the lease when it is free or its holder has not renewed it within
// leaseDuration (judged by the local clock from when this candidate last saw the
// record change, so clock skew between hosts does not matter); the leader renews
// it every retryPeriod and steps down if it could not renew for renewDeadline.
// Upstream's defaults: 15 s / 10 s / 2 s.
//
// Not thread-safe: run() and stop() on the client's executor.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "client/rest/rest_client.h"

namespace kcpp::client {

struct LeaderElectionConfig {
  std::string leaseNamespace = "kube-system";
  std::string leaseName;
  std::string identity;  // unique per candidate (upstream: hostname + "_" + uuid)
  std::chrono::milliseconds leaseDuration{15000};
  std::chrono::milliseconds renewDeadline{10000};
  std::chrono::milliseconds retryPeriod{2000};
  std::function<void()> onStartedLeading;
  std::function<void()> onStoppedLeading;
};

class LeaderElector {
 public:
  LeaderElector(RestClient& client, LeaderElectionConfig config);

  // Campaigns, leads, and campaigns again after losing the lease, until stop().
  // A leader that stops releases the lease (holderIdentity emptied) so another
  // candidate can take it at once.
  boost::asio::awaitable<void> run();
  void stop();
  bool isLeader() const { return leading_; }

 private:
  // True if this candidate holds the lease after the attempt.
  boost::asio::awaitable<bool> tryAcquireOrRenew();
  boost::asio::awaitable<void> release();
  boost::asio::awaitable<void> sleep(std::chrono::milliseconds d);
  json::object leaseSpec(const json::object* old, bool acquiring) const;
  ResourcePath leasePath(const std::string& name) const;

  RestClient& client_;
  LeaderElectionConfig config_;
  bool leading_ = false;
  bool stopped_ = false;
  // What this candidate last saw of the lease, and when (local clock).
  std::string observedHolder_;
  std::string observedRenewTime_;
  std::chrono::steady_clock::time_point observedAt_{};
  std::unique_ptr<boost::asio::steady_timer> sleeper_;
};

}  // namespace kcpp::client
