#pragma once
// KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1), the --config
// file: profiles (schedulerName, plugins enabled/disabled per extension point
// or multiPoint, score weights, pluginConfig args), percentageOfNodesToScore,
// backoff, client connection and leader election settings. Profiles resolve
// against the default plugins as upstream's mergePlugins does.

#include <optional>
#include <string>
#include <vector>

#include "scheduler/framework/framework.h"
#include "util/error.h"

namespace kcpp::scheduler::config {

struct SchedulerConfiguration {
  std::vector<Profile> profiles;  // resolved
  int percentageOfNodesToScore = 0;
  int podInitialBackoffSeconds = 1;
  int podMaxBackoffSeconds = 10;
  std::optional<bool> leaderElect;
  std::optional<double> qps;
  std::optional<int> burst;
  std::string kubeconfig;  // clientConnection.kubeconfig
};

// The configuration a file holds; errors name the field as upstream's
// validation does (e.g. `percentageOfNodesToScore: Invalid value: 150: not in
// valid range [0-100]`).
Result<SchedulerConfiguration> parseSchedulerConfiguration(std::string_view yaml);
Result<SchedulerConfiguration> loadSchedulerConfiguration(const std::string& path);

// No file: the default profile alone.
SchedulerConfiguration defaultConfiguration();

}  // namespace kcpp::scheduler::config
