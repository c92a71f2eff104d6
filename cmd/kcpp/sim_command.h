#pragma once
// `kcpp sim`: simulated ("hollow") nodes, as KWOK or kubemark, that register
// with an API server and play the kubelet's part for the pods bound to them
// without running containers. For tests and scale benchmarks.

#include <CLI/CLI.hpp>

#include <string>

namespace kcpp::cmd {

struct SimConfig {
  std::string kubeconfig;
  // Or join as kubelets do: the server URL and its join token (node TLS bootstrap).
  std::string server;
  std::string token;
  int nodes = 1;
  std::string namePrefix = "sim-";
  std::string cpu = "32";
  std::string memory = "256Gi";
  std::string pods = "110";
  std::string ephemeralStorage = "100Gi";
  std::string labels;
  std::string taints;
  double kubeApiQps = 1000;
  int kubeApiBurst = 2000;
  int leaseDurationSeconds = 40;
  std::string leaseRenewInterval = "10s";
  std::string statusUpdateFrequency = "10s";
  std::string statusReportFrequency = "5m";
  std::string podStartDelay = "1s";
  std::string maxPodGracePeriod;
  int nodeWorkers = 32;
  int podWorkers = 64;
  std::string statsInterval = "10s";
  int verbosity = 0;
};

CLI::App* addSimCommand(CLI::App& app, SimConfig& config);
int runSim(const SimConfig& config);

}  // namespace kcpp::cmd
