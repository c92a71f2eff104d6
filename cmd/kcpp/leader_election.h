#pragma once
// How kcpp's components (controller-manager, scheduler) take their
// kube-system Lease before acting, as upstream's: start once leading; a lost
// lease stops the component's io_context with exit code 1, since its caches
// can no longer be trusted against the new leader's writes.

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <string>

#include "client/leaderelection/leader_elector.h"
#include "client/rest/rest_client.h"

namespace kcpp::cmd {

struct LeaderElectionFlags {
  double leaseDurationSeconds = 15;  // upstream's --leader-elect-* defaults
  double renewDeadlineSeconds = 10;
  double retryPeriodSeconds = 2;
  std::string identity;  // empty: hostname_<uuid>
};

// What a component tracks of its election.
struct Leadership {
  bool leading = false;
  int exitCode = 0;
};

// Campaigns for kube-system/<leaseName> on `io`; `start` runs once leading.
std::unique_ptr<client::LeaderElector> campaign(boost::asio::io_context& io, client::RestClient& client,
                                                const std::string& leaseName, const LeaderElectionFlags& flags,
                                                std::function<void()> start, Leadership& leadership);

std::chrono::milliseconds millis(double seconds);

}  // namespace kcpp::cmd
