#include "controller_manager_command.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>
#include <memory>
#include <thread>

#include "controller_manager.h"
#include "controllers/replicaset/replica_set_controller.h"
#include "pki/kubeconfig.h"

namespace kcpp::cmd {

namespace asio = boost::asio;

namespace {

controllers::ControllerPtr makeReplicated(const ControllerContext& c, controllers::ReplicatedKind kind,
                                          int workers) {
  controllers::ReplicaSetControllerOptions options;
  options.workers = workers;
  return std::make_unique<controllers::ReplicaSetController>(std::move(kind), c.client, c.informers,
                                                             c.executor, options);
}

}  // namespace

const std::vector<ControllerEntry>& controllerTable() {
  static const std::vector<ControllerEntry> table = {
      {"replicaset",
       [](const ControllerContext& c) {
         return makeReplicated(c, controllers::ReplicatedKind::replicaSets(),
                               c.config.concurrentReplicaSetSyncs);
       },
       "replicaset-controller"},
      {"replicationcontroller",
       [](const ControllerContext& c) {
         return makeReplicated(c, controllers::ReplicatedKind::replicationControllers(),
                               c.config.concurrentRcSyncs);
       },
       "replication-controller"},
  };
  return table;
}

CLI::App* addControllerManagerCommand(CLI::App& app, ControllerManagerConfig& c) {
  CLI::App* cmd = app.add_subcommand("controller-manager", "Run the controllers against an API server");
  cmd->add_option("--kubeconfig", c.kubeconfig, "kubeconfig of the API server to manage")->required();
  cmd->add_flag("--leader-elect,!--no-leader-elect", c.leaderElect,
                "Take the kube-system/kube-controller-manager Lease before running")
      ->capture_default_str();
  cmd->add_option("--leader-elect-lease-duration", c.leaseDurationSeconds, "Seconds")->capture_default_str();
  cmd->add_option("--leader-elect-renew-deadline", c.renewDeadlineSeconds, "Seconds")->capture_default_str();
  cmd->add_option("--leader-elect-retry-period", c.retryPeriodSeconds, "Seconds")->capture_default_str();
  cmd->add_option("--controllers", c.controllers,
                  "Controllers to run: '*' for all, 'name' to enable, '-name' to disable")
      ->delimiter(',')->capture_default_str();
  cmd->add_option("--concurrent-replicaset-syncs", c.concurrentReplicaSetSyncs)->capture_default_str();
  cmd->add_option("--concurrent-rc-syncs", c.concurrentRcSyncs)->capture_default_str();
  cmd->add_flag("--use-service-account-credentials,!--no-use-service-account-credentials",
                c.useServiceAccountCredentials,
                "Each controller acts as its own kube-system ServiceAccount")
      ->capture_default_str();
  cmd->add_option("--kube-api-qps", c.kubeApiQps, "Requests per second to the API server, per client")
      ->capture_default_str();
  cmd->add_option("--kube-api-burst", c.kubeApiBurst, "Burst above --kube-api-qps")->capture_default_str();
  cmd->add_option("-v,--v", c.verbosity, "Log verbosity")->capture_default_str();
  return cmd;
}

int runControllerManager(const ControllerManagerConfig& config) {
  spdlog::set_pattern("%L%m%d %H:%M:%S.%f %t %v");
  spdlog::set_level(config.verbosity >= 2 ? spdlog::level::debug : spdlog::level::info);
  auto kubeconfig = pki::readKubeconfig(config.kubeconfig);
  if (!kubeconfig) {
    spdlog::error("kubeconfig: {}", kubeconfig.error().message);
    return 1;
  }
  ControllerManager manager(config, std::move(*kubeconfig));
  if (auto ok = manager.init(); !ok) {
    spdlog::error("{}", ok.error().message);
    return 1;
  }
  // Signals arrive on a thread of their own; the manager stops on its io_context.
  boost::asio::io_context signalIo;
  asio::signal_set signals(signalIo, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (ec) return;
    spdlog::info("received signal {}, shutting down", signal);
    manager.requestStop();
  });
  std::thread signalThread([&signalIo] { signalIo.run(); });
  signalThread.detach();
  int exitCode = manager.run();
  spdlog::shutdown();
  std::fflush(nullptr);
  // As `kcpp server`: suspended coroutines hold objects of the manager; do not tear down.
  std::_Exit(exitCode);
}

}  // namespace kcpp::cmd
