#include "scheduler_command.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <memory>

#include "api/meta/object.h"
#include "client/informer/informer_factory.h"
#include "client/leaderelection/leader_elector.h"
#include "client/rest/rest_client.h"
#include "pki/kubeconfig.h"
#include "scheduler/config/scheduler_config.h"
#include "scheduler/plugins/registry.h"
#include "scheduler/scheduler.h"

namespace kcpp::cmd {

namespace asio = boost::asio;

namespace {

// What a running scheduler process holds.
struct SchedulerProcess {
  asio::io_context io;
  client::RestClientPtr client;
  std::unique_ptr<client::InformerFactory> informers;
  scheduler::SchedulerPtr scheduler;
  std::unique_ptr<client::LeaderElector> elector;
  bool leading = false;
};

std::chrono::milliseconds millis(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
}

std::string candidateIdentity() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return std::string(host) + "_" + api::newUid();
}

void startScheduling(SchedulerProcess& p) {
  asio::co_spawn(p.io, p.scheduler->run(), asio::detached);
}

}  // namespace

CLI::App* addSchedulerCommand(CLI::App& app, SchedulerConfig& c) {
  CLI::App* cmd = app.add_subcommand("scheduler", "Run the scheduler against an API server");
  cmd->add_option("--kubeconfig", c.kubeconfig, "kubeconfig of the API server");
  cmd->add_option("--config", c.configFile, "KubeSchedulerConfiguration file (kubescheduler.config.k8s.io/v1)");
  cmd->add_flag("--leader-elect,!--no-leader-elect", c.leaderElect,
                "Take the kube-system/kube-scheduler Lease before scheduling")
      ->capture_default_str();
  cmd->add_option("--leader-elect-lease-duration", c.leaseDurationSeconds, "Seconds")->capture_default_str();
  cmd->add_option("--leader-elect-renew-deadline", c.renewDeadlineSeconds, "Seconds")->capture_default_str();
  cmd->add_option("--leader-elect-retry-period", c.retryPeriodSeconds, "Seconds")->capture_default_str();
  cmd->add_option("--kube-api-qps", c.kubeApiQps, "QPS to use while talking with the API server")->capture_default_str();
  cmd->add_option("--kube-api-burst", c.kubeApiBurst, "Burst to use while talking with the API server")
      ->capture_default_str();
  cmd->add_option("-v,--v", c.verbosity, "Log verbosity")->capture_default_str();
  return cmd;
}

int runScheduler(SchedulerConfig config) {
  spdlog::set_pattern("%L%m%d %H:%M:%S.%f %t %v");
  spdlog::set_level(config.verbosity >= 2 ? spdlog::level::debug : spdlog::level::info);
  scheduler::config::SchedulerConfiguration settings = scheduler::config::defaultConfiguration();
  if (!config.configFile.empty()) {
    auto loaded = scheduler::config::loadSchedulerConfiguration(config.configFile);
    if (!loaded) {
      spdlog::error("invalid configuration file {}: {}", config.configFile, loaded.error().message);
      return 1;
    }
    settings = std::move(*loaded);
    // Flags win over the file only where upstream's do: the file's own settings otherwise.
    if (config.kubeconfig.empty()) config.kubeconfig = settings.kubeconfig;
    if (settings.leaderElect) config.leaderElect = *settings.leaderElect;
    if (settings.qps) config.kubeApiQps = *settings.qps;
    if (settings.burst) config.kubeApiBurst = *settings.burst;
  }
  if (config.kubeconfig.empty()) {
    spdlog::error("--kubeconfig (or clientConnection.kubeconfig in --config) is required");
    return 1;
  }
  auto kubeconfig = pki::readKubeconfig(config.kubeconfig);
  if (!kubeconfig) {
    spdlog::error("kubeconfig: {}", kubeconfig.error().message);
    return 1;
  }
  SchedulerProcess p;
  client::ClientOptions clientOptions;
  clientOptions.userAgent = "kcpp-scheduler";
  clientOptions.qps = config.kubeApiQps;
  clientOptions.burst = config.kubeApiBurst;
  clientOptions.maxIdleConnections = 64;  // many binds in flight
  auto restClient = client::RestClient::create(p.io.get_executor(), *kubeconfig, clientOptions);
  if (!restClient) {
    spdlog::error("client: {}", restClient.error().message);
    return 1;
  }
  p.client = std::move(*restClient);
  p.informers = std::make_unique<client::InformerFactory>(*p.client);
  scheduler::SchedulerOptions options;
  options.profiles = settings.profiles;
  options.queue.initialBackoff = std::chrono::seconds(settings.podInitialBackoffSeconds);
  options.queue.maxBackoff = std::chrono::seconds(settings.podMaxBackoffSeconds);
  auto made = scheduler::Scheduler::create(*p.client, *p.informers, p.io.get_executor(), options,
                                           scheduler::plugins::inTreeRegistry());
  if (!made) {
    spdlog::error("couldn't create scheduler: {}", made.error().message);
    return 1;
  }
  p.scheduler = std::move(*made);
  int exitCode = 0;
  if (config.leaderElect) {
    client::LeaderElectionConfig election;
    election.leaseName = "kube-scheduler";
    election.identity = candidateIdentity();
    election.leaseDuration = millis(config.leaseDurationSeconds);
    election.renewDeadline = millis(config.renewDeadlineSeconds);
    election.retryPeriod = millis(config.retryPeriodSeconds);
    election.onStartedLeading = [&p, identity = election.identity] {
      spdlog::info("became leader ({}), starting scheduling", identity);
      p.leading = true;
      startScheduling(p);
    };
    // Upstream exits when it loses the lease: its cache may disagree with the new leader's binds.
    election.onStoppedLeading = [&p, &exitCode] {
      if (!p.leading) return;
      spdlog::error("leader election lost");
      exitCode = 1;
      p.io.stop();
    };
    p.elector = std::make_unique<client::LeaderElector>(*p.client, election);
    asio::co_spawn(p.io, p.elector->run(), asio::detached);
  } else {
    startScheduling(p);
  }
  asio::signal_set signals(p.io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (ec) return;
    spdlog::info("received signal {}, shutting down", signal);
    p.leading = false;
    p.scheduler->stop();
    p.informers->stop();
    if (p.elector) p.elector->stop();
    auto timer = std::make_shared<asio::steady_timer>(p.io, std::chrono::seconds(2));
    timer->async_wait([&p, timer](boost::system::error_code) { p.io.stop(); });
  });
  p.io.run();
  spdlog::shutdown();
  std::fflush(nullptr);
  // As `kcpp controller-manager`: suspended coroutines hold objects of `p`; do not tear down.
  std::_Exit(exitCode);
}

}  // namespace kcpp::cmd
