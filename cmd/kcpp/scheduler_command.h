#pragma once
// `kcpp scheduler`: the scheduler as its own process, talking to the API
// server only through a kubeconfig, as upstream's kube-scheduler. Leader
// election on the kube-system/kube-scheduler Lease keeps one active instance;
// --config reads a KubeSchedulerConfiguration. Flags follow upstream's names.

#include <CLI/CLI.hpp>

#include <string>

namespace kcpp::cmd {

struct SchedulerConfig {
  std::string kubeconfig;
  std::string configFile;
  bool leaderElect = true;
  double leaseDurationSeconds = 15;
  double renewDeadlineSeconds = 10;
  double retryPeriodSeconds = 2;
  double kubeApiQps = 50;
  int kubeApiBurst = 100;
  // The Lease holder identity; empty: hostname_<uuid>. `kcpp server` passes a
  // stable one so that after a restart it takes its own lease back at once.
  std::string leaderElectIdentity;
  int verbosity = 0;
};

CLI::App* addSchedulerCommand(CLI::App& app, SchedulerConfig& config);
int runScheduler(SchedulerConfig config);

}  // namespace kcpp::cmd
