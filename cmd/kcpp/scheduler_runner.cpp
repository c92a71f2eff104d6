#include "scheduler_runner.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "scheduler/plugins/registry.h"

namespace kcpp::cmd {

namespace asio = boost::asio;

SchedulerRunner::SchedulerRunner(SchedulerConfig flags, scheduler::config::SchedulerConfiguration settings,
                                 pki::Kubeconfig kubeconfig, Embedding embedding)
    : flags_(std::move(flags)),
      settings_(std::move(settings)),
      kubeconfig_(std::move(kubeconfig)),
      embedding_(std::move(embedding)) {}

Result<void> SchedulerRunner::init() {
  client::ClientOptions clientOptions;
  clientOptions.userAgent = "kcpp-scheduler";
  clientOptions.qps = flags_.kubeApiQps;
  clientOptions.burst = flags_.kubeApiBurst;
  clientOptions.maxIdleConnections = 64;  // many binds in flight
  clientOptions.transport = embedding_.transport;
  auto restClient = client::RestClient::create(io_.get_executor(), kubeconfig_, clientOptions);
  if (!restClient) return makeError(Reason::BadRequest, "client: " + restClient.error().message);
  client_ = std::move(*restClient);
  informers_ = std::make_unique<client::InformerFactory>(*client_, embedding_.interner);
  scheduler::SchedulerOptions options;
  options.profiles = settings_.profiles;
  options.queue.initialBackoff = std::chrono::seconds(settings_.podInitialBackoffSeconds);
  options.queue.maxBackoff = std::chrono::seconds(settings_.podMaxBackoffSeconds);
  auto made = scheduler::Scheduler::create(*client_, *informers_, io_.get_executor(), options,
                                           scheduler::plugins::inTreeRegistry());
  if (!made) return makeError(Reason::BadRequest, "couldn't create scheduler: " + made.error().message);
  scheduler_ = std::move(*made);
  return {};
}

int SchedulerRunner::run() {
  auto start = [this] { asio::co_spawn(io_, scheduler_->run(), asio::detached); };
  if (flags_.leaderElect) {
    LeaderElectionFlags election{flags_.leaseDurationSeconds, flags_.renewDeadlineSeconds,
                                 flags_.retryPeriodSeconds, flags_.leaderElectIdentity};
    elector_ = campaign(io_, *client_, "kube-scheduler", election, start, leadership_);
  } else {
    start();
  }
  io_.run();
  return leadership_.exitCode;
}

void SchedulerRunner::requestStop() {
  asio::post(io_, [this] {
    leadership_.leading = false;  // a stop we asked for is not a lost election
    scheduler_->stop();
    informers_->stop();
    if (elector_) elector_->stop();  // releases the lease
    // Leave time for the release, then end.
    auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::seconds(2));
    timer->async_wait([this, timer](boost::system::error_code) { io_.stop(); });
  });
}

}  // namespace kcpp::cmd
