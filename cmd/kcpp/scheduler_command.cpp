#include "scheduler_command.h"

#include <spdlog/spdlog.h>


#include "component_signals.h"
#include "pki/kubeconfig.h"
#include "scheduler/config/scheduler_config.h"
#include "scheduler_runner.h"

namespace kcpp::cmd {

namespace asio = boost::asio;

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
  SchedulerRunner runner(config, std::move(settings), std::move(*kubeconfig));
  if (auto ok = runner.init(); !ok) {
    spdlog::error("{}", ok.error().message);
    return 1;
  }
  runUntilSignalled([&] { return runner.run(); }, [&] { runner.requestStop(); });
}

}  // namespace kcpp::cmd
