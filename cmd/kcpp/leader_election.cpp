#include "leader_election.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "api/meta/object.h"

namespace kcpp::cmd {

namespace asio = boost::asio;

std::chrono::milliseconds millis(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
}

namespace {

std::string candidateIdentity() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return std::string(host) + "_" + api::newUid();
}

}  // namespace

std::unique_ptr<client::LeaderElector> campaign(asio::io_context& io, client::RestClient& client,
                                                const std::string& leaseName, const LeaderElectionFlags& flags,
                                                std::function<void()> start, Leadership& leadership) {
  client::LeaderElectionConfig election;
  election.leaseName = leaseName;
  election.identity = flags.identity.empty() ? candidateIdentity() : flags.identity;
  election.leaseDuration = millis(flags.leaseDurationSeconds);
  election.renewDeadline = millis(flags.renewDeadlineSeconds);
  election.retryPeriod = millis(flags.retryPeriodSeconds);
  election.onStartedLeading = [&leadership, start = std::move(start), identity = election.identity, leaseName] {
    spdlog::info("became leader of {} ({})", leaseName, identity);
    leadership.leading = true;
    start();
  };
  election.onStoppedLeading = [&io, &leadership, leaseName] {
    if (!leadership.leading) return;  // a stop we asked for is not a lost election
    spdlog::error("leader election lost ({})", leaseName);
    leadership.exitCode = 1;
    io.stop();
  };
  auto elector = std::make_unique<client::LeaderElector>(client, election);
  asio::co_spawn(io, elector->run(), asio::detached);
  return elector;
}

}  // namespace kcpp::cmd
