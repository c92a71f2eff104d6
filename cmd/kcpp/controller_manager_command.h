#pragma once
// `kcpp controller-manager`: the control loops as their own process, talking to
// the API server only through a kubeconfig, as upstream's kube-controller-manager.
// Leader election on the kube-system/kube-controller-manager Lease keeps one
// active instance. Flags follow upstream's names.

#include <CLI/CLI.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "util/error.h"

namespace kcpp::cmd {

struct ControllerManagerConfig {
  std::string kubeconfig;
  bool leaderElect = true;
  double leaseDurationSeconds = 15;
  double renewDeadlineSeconds = 10;
  double retryPeriodSeconds = 2;
  std::vector<std::string> controllers{"*"};
  int concurrentReplicaSetSyncs = 5;
  int concurrentRcSyncs = 5;
  // Upstream defaults to false (k3s sets true); `kcpp server` sets it for its own.
  bool useServiceAccountCredentials = false;
  // Upstream's defaults are 20/30; kcpp's server is fast enough that the
  // controllers' own limit should not be what bounds a large rollout.
  double kubeApiQps = 2000;
  int kubeApiBurst = 4000;
  // The Lease holder identity; empty: hostname_<uuid>. `kcpp server` passes a
  // stable one so that after a restart it takes its own lease back at once.
  std::string leaderElectIdentity;
  std::string rootCaFile;                    // --root-ca-file
  std::string serviceAccountPrivateKeyFile;  // --service-account-private-key-file
  int concurrentDeploymentSyncs = 5;
  bool enableGarbageCollector = true;
  int concurrentGcSyncs = 20;
  int concurrentNamespaceSyncs = 10;
  double namespaceSyncPeriodSeconds = 300;
  int concurrentDaemonSetSyncs = 2;
  int concurrentStatefulSetSyncs = 5;
  int concurrentJobSyncs = 5;
  double jobPodFailureBackoffSeconds = 10;
  int concurrentTtlAfterFinishedSyncs = 5;
  int concurrentCronJobSyncs = 5;
  int verbosity = 0;
  // Node lifecycle (upstream's flags and defaults).
  std::chrono::milliseconds nodeMonitorPeriod{5000};
  std::chrono::milliseconds nodeMonitorGracePeriod{40000};
  std::chrono::milliseconds nodeStartupGracePeriod{60000};
  double nodeEvictionRate = 0.1;
  double secondaryNodeEvictionRate = 0.01;
  int largeClusterSizeThreshold = 50;
  double unhealthyZoneThreshold = 0.55;
  // Pod GC: upstream's flag, and its constants as flags for tests.
  int terminatedPodGcThreshold = 12500;
  std::chrono::milliseconds podGcPeriod{20000};
  std::chrono::milliseconds podGcQuarantinePeriod{40000};
  int concurrentEndpointSyncs = 5;
  std::string endpointUpdatesBatchPeriod = "0s";  // a Go duration, as upstream's flag
  int concurrentServiceEndpointSyncs = 5;
  int maxEndpointsPerSlice = 100;
  std::string endpointSliceUpdatesBatchPeriod = "0s";
  int mirroringConcurrentServiceEndpointSyncs = 5;
  int mirroringMaxEndpointsPerSubset = 1000;
  // The local-path provisioner's directory (k3s: <data-dir>/storage); `kcpp
  // server` passes its own. Empty: volume directories are not made here.
  std::string localPathDir;
  std::chrono::milliseconds pvClaimBinderSyncPeriod{15000};  // --pvclaimbinder-sync-period
  int concurrentResourceQuotaSyncs = 5;
  std::chrono::milliseconds resourceQuotaSyncPeriod{300000};
  // Node IPAM (range allocator). Upstream leaves --allocate-node-cidrs false
  // and --cluster-cidr empty; `kcpp server` sets the first, as k3s, and the
  // default range is k3s's.
  bool allocateNodeCidrs = false;
  // csrsigning: one CA for every signer, or one per signer (upstream's flags).
  std::string clusterSigningCertFile, clusterSigningKeyFile;
  std::string clusterSigningKubeApiserverClientCertFile, clusterSigningKubeApiserverClientKeyFile;
  std::string clusterSigningKubeletClientCertFile, clusterSigningKubeletClientKeyFile;
  std::string clusterSigningKubeletServingCertFile, clusterSigningKubeletServingKeyFile;
  std::chrono::milliseconds clusterSigningDuration{std::chrono::hours(8760)};
  std::string clusterCidr = "10.42.0.0/16";
  int nodeCidrMaskSize = 24;
};

// The node IPAM flags: an error naming the bad one, when --allocate-node-cidrs is set.
Result<void> validateNodeIpamFlags(const ControllerManagerConfig& config);

CLI::App* addControllerManagerCommand(CLI::App& app, ControllerManagerConfig& config);
int runControllerManager(const ControllerManagerConfig& config);

}  // namespace kcpp::cmd
