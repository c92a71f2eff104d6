#include "controller_manager_command.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <memory>

#include "component_signals.h"
#include "controller_manager.h"
#include "apiserver/authn/service_account_token.h"
#include "controllers/certificates/csr_approving_controller.h"
#include "controllers/certificates/csr_signing_controller.h"
#include "controllers/certificates/csr_util.h"
#include "controllers/cronjob/cronjob_controller.h"
#include "controllers/daemonset/daemon_set_controller.h"
#include "controllers/deployment/deployment_controller.h"
#include "controllers/endpoint/endpoints_controller.h"
#include "controllers/endpointslice/endpoint_slice_controller.h"
#include "controllers/endpointslice/endpoint_slice_mirroring_controller.h"
#include "controllers/garbagecollector/garbage_collector.h"
#include "controllers/job/job_controller.h"
#include "controllers/namespace/namespace_controller.h"
#include "controllers/nodelifecycle/node_lifecycle_controller.h"
#include "controllers/podgc/pod_gc_controller.h"
#include "controllers/replicaset/replica_set_controller.h"
#include "controllers/rootcacertpublisher/root_ca_cert_publisher.h"
#include "controllers/serviceaccount/service_accounts_controller.h"
#include "controllers/serviceaccounttokens/tokens_controller.h"
#include "controllers/statefulset/stateful_set_controller.h"
#include "controllers/cronjob/cronjob_controller.h"
#include "controllers/job/job_controller.h"
#include "controllers/ttlafterfinished/ttl_after_finished_controller.h"
#include "controllers/nodelifecycle/node_lifecycle_controller.h"
#include "controllers/podgc/pod_gc_controller.h"
#include "controllers/volume/localpath/local_path_provisioner.h"
#include "controllers/volume/persistentvolume/pv_controller.h"
#include "controllers/resourcequota/resource_quota_controller.h"
#include "controllers/nodeipam/node_ipam_controller.h"
#include "controllers/tainteviction/taint_eviction_controller.h"
#include "controllers/ttlafterfinished/ttl_after_finished_controller.h"
#include "pki/atomic_file.h"
#include "pki/kubeconfig.h"
#include "sim/sim_pod.h"

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

// What kube-root-ca.crt and token Secrets publish: --root-ca-file, else the CA
// the client trusts the server with (as upstream).
std::string rootCa(const ControllerContext& c) {
  if (c.config.rootCaFile.empty()) return c.client.kubeconfig().certificateAuthorityPem;
  auto pem = pki::readFile(c.config.rootCaFile);
  if (!pem) {
    spdlog::error("--root-ca-file: {}", pem.error().message);
    return c.client.kubeconfig().certificateAuthorityPem;
  }
  return *pem;
}

// Upstream starts the tokens controller only with --service-account-private-key-file.
controllers::ControllerPtr makeTokensController(const ControllerContext& c) {
  const std::string& keyFile = c.config.serviceAccountPrivateKeyFile;
  if (keyFile.empty() || !std::filesystem::exists(keyFile)) {
    spdlog::warn("serviceaccount-token: no --service-account-private-key-file, not started");
    return nullptr;
  }
  auto signer = apiserver::ServiceAccountTokenSigner::loadOrCreate(keyFile, apiserver::kDefaultServiceAccountIssuer);
  if (!signer) {
    spdlog::error("serviceaccount-token: {}", signer.error().message);
    return nullptr;
  }
  auto generate = [signer = *signer](const controllers::LegacyTokenRequest& r) {
    apiserver::LegacyTokenClaims claims{r.ns, r.serviceAccountName, r.serviceAccountUid, r.secretName};
    return signer->signLegacy(claims);
  };
  return std::make_unique<controllers::TokensController>(c.client, c.informers, c.executor, generate, rootCa(c));
}

// A signer's CA from its files; null (logged) when unset or unreadable.
std::shared_ptr<const pki::CertifiedKey> loadSigningCa(const std::string& certFile, const std::string& keyFile) {
  if (certFile.empty() || keyFile.empty()) return nullptr;
  auto certPem = pki::readFile(certFile);
  auto keyPem = pki::readFile(keyFile);
  if (!certPem || !keyPem) {
    spdlog::error("csrsigning: cannot read {} / {}", certFile, keyFile);
    return nullptr;
  }
  auto cert = pki::certificateFromPem(*certPem);
  auto key = pki::privateKeyFromPem(*keyPem);
  if (!cert || !key) {
    spdlog::error("csrsigning: {} / {} hold no certificate and key", certFile, keyFile);
    return nullptr;
  }
  auto ca = std::make_shared<pki::CertifiedKey>();
  ca->cert = std::move(*cert);
  ca->key = std::move(*key);
  return ca;
}

// Upstream starts csrsigning with the signers whose CA files it has: the
// per-signer flags, else --cluster-signing-cert-file/--cluster-signing-key-file.
controllers::ControllerPtr makeCsrSigning(const ControllerContext& c) {
  const ControllerManagerConfig& f = c.config;
  auto shared = loadSigningCa(f.clusterSigningCertFile, f.clusterSigningKeyFile);
  controllers::CsrSigningOptions options;
  auto pick = [&](const char* signer, const std::string& cert, const std::string& key) {
    auto own = loadSigningCa(cert, key);
    if (own || shared) options.signers[signer] = own ? own : shared;
  };
  pick(controllers::csr::kApiserverClientSigner, f.clusterSigningKubeApiserverClientCertFile,
       f.clusterSigningKubeApiserverClientKeyFile);
  pick(controllers::csr::kKubeletClientSigner, f.clusterSigningKubeletClientCertFile,
       f.clusterSigningKubeletClientKeyFile);
  pick(controllers::csr::kKubeletServingSigner, f.clusterSigningKubeletServingCertFile,
       f.clusterSigningKubeletServingKeyFile);
  if (options.signers.empty()) {
    spdlog::warn("csrsigning: no --cluster-signing-cert-file/--cluster-signing-key-file, not started");
    return nullptr;
  }
  options.duration = std::chrono::duration_cast<std::chrono::seconds>(f.clusterSigningDuration);
  return std::make_unique<controllers::CsrSigningController>(c.client, c.informers, c.executor, std::move(options));
}

// Upstream's duration flags ("0s", "500ms", "1m"); a malformed one was refused when parsed.
std::chrono::milliseconds durationFlag(const std::string& text) {
  return sim::parseDuration(text).value_or(std::chrono::milliseconds(0));
}

// A Go-style duration flag ("5s", "500ms", "1m30s"), as upstream's metav1.Duration flags.
void addDurationOption(CLI::App* cmd, const std::string& name, std::chrono::milliseconds& out,
                       const std::string& help) {
  auto parse = [&out, name](const std::string& text) {
    auto parsed = sim::parseDuration(text);
    if (!parsed) throw CLI::ValidationError(name, "invalid duration \"" + text + "\" (e.g. 5s, 500ms, 1m)");
    out = *parsed;
  };
  cmd->add_option_function<std::string>(name, parse, help + " (default " + std::to_string(out.count()) + "ms)");
}

controllers::ControllerPtr makeEndpoints(const ControllerContext& c) {
  controllers::EndpointsControllerOptions options;
  options.workers = c.config.concurrentEndpointSyncs;
  options.batchPeriod = durationFlag(c.config.endpointUpdatesBatchPeriod);
  return std::make_unique<controllers::EndpointsController>(c.client, c.informers, c.executor, options);
}

controllers::ControllerPtr makeEndpointSlices(const ControllerContext& c) {
  controllers::EndpointSliceControllerOptions options;
  options.workers = c.config.concurrentServiceEndpointSyncs;
  options.maxEndpointsPerSlice = static_cast<std::size_t>(c.config.maxEndpointsPerSlice);
  options.batchPeriod =
      durationFlag(c.config.endpointSliceUpdatesBatchPeriod);
  return std::make_unique<controllers::EndpointSliceController>(c.client, c.informers, c.executor, options);
}

controllers::ControllerPtr makeEndpointSliceMirroring(const ControllerContext& c) {
  controllers::EndpointSliceMirroringOptions options;
  options.workers = c.config.mirroringConcurrentServiceEndpointSyncs;
  options.maxEndpointsPerSubset = static_cast<std::size_t>(c.config.mirroringMaxEndpointsPerSubset);
  return std::make_unique<controllers::EndpointSliceMirroringController>(c.client, c.informers, c.executor,
                                                                          options);
}

}  // namespace
controllers::ControllerPtr makeNodeIpam(const ControllerContext& c) {
  if (!c.config.allocateNodeCidrs) return nullptr;  // upstream: not started without it
  controllers::NodeIpamOptions options;
  options.clusterCidr = c.config.clusterCidr;
  options.nodeCidrMaskSize = c.config.nodeCidrMaskSize;
  auto made = controllers::NodeIpamController::create(c.client, c.informers, c.executor, options);
  if (!made) {
    spdlog::error("nodeipam: {}", made.error().message);
    return nullptr;
  }
  return std::move(*made);
}

Result<void> validateNodeIpamFlags(const ControllerManagerConfig& config) {
  if (!config.allocateNodeCidrs) return Result<void>{};
  auto cidrs = controllers::nodeipam::CidrSet::create(config.clusterCidr, config.nodeCidrMaskSize);
  if (!cidrs) return std::move(cidrs).error();
  return Result<void>{};
}

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
      {"serviceaccount",
       [](const ControllerContext& c) -> controllers::ControllerPtr {
         return std::make_unique<controllers::ServiceAccountsController>(c.client, c.informers, c.executor);
       },
       "service-account-controller"},
      // The manager's own identity, as upstream (it reads and writes Secrets everywhere).
      {"serviceaccount-token", makeTokensController},
      {"root-ca-cert-publisher",
       [](const ControllerContext& c) -> controllers::ControllerPtr {
         return std::make_unique<controllers::RootCaCertPublisher>(c.client, c.informers, c.executor, rootCa(c));
       },
       "root-ca-cert-publisher"},
      {"deployment",
       [](const ControllerContext& c) -> controllers::ControllerPtr {
         controllers::DeploymentControllerOptions options;
         options.workers = c.config.concurrentDeploymentSyncs;
         return std::make_unique<controllers::DeploymentController>(c.client, c.informers, c.executor,
                                                                    options);
       },
       "deployment-controller"},
      {"garbagecollector",
       [](const ControllerContext& c) -> controllers::ControllerPtr {
         // Upstream: --enable-garbage-collector=false leaves the controller out.
         if (!c.config.enableGarbageCollector) return nullptr;
         controllers::GarbageCollectorOptions options;
         options.workers = c.config.concurrentGcSyncs;
         return std::make_unique<controllers::GarbageCollector>(c.client, c.executor, options);
       },
       "generic-garbage-collector"},
      {"namespace",
       [](const ControllerContext& c) -> controllers::ControllerPtr {
         controllers::NamespaceControllerOptions options;
         options.workers = c.config.concurrentNamespaceSyncs;
         options.resyncPeriod = std::chrono::milliseconds(
             static_cast<std::int64_t>(c.config.namespaceSyncPeriodSeconds * 1000));
         return std::make_unique<controllers::NamespaceController>(c.client, c.informers,
                                                                   c.executor, options);
       },
       "namespace-controller"},
      {"daemonset",
       [](const ControllerContext& c) -> controllers::ControllerPtr {
         controllers::daemon::DaemonSetControllerOptions options;
         options.workers = c.config.concurrentDaemonSetSyncs;
         return std::make_unique<controllers::daemon::DaemonSetController>(c.client, c.informers,
                                                                           c.executor, options);
       },
       "daemon-set-controller"},
      {"statefulset",
       [](const ControllerContext& c) -> controllers::ControllerPtr {
         controllers::statefulset::StatefulSetControllerOptions options;
         options.workers = c.config.concurrentStatefulSetSyncs;
         return std::make_unique<controllers::statefulset::StatefulSetController>(c.client, c.informers,
                                                                                  c.executor, options);
       },
       "statefulset-controller"},
      {"job",
       [](const ControllerContext& c) -> controllers::ControllerPtr {
         controllers::JobControllerOptions options;
         options.workers = c.config.concurrentJobSyncs;
         options.podFailureBackoff = millis(c.config.jobPodFailureBackoffSeconds);
         return std::make_unique<controllers::JobController>(c.client, c.informers, c.executor, options);
       },
       "job-controller"},
      {"cronjob",
       [](const ControllerContext& c) -> controllers::ControllerPtr {
         controllers::CronJobControllerOptions options;
         options.workers = c.config.concurrentCronJobSyncs;
         return std::make_unique<controllers::CronJobController>(c.client, c.informers, c.executor, options);
       },
       "cronjob-controller"},
      {"ttl-after-finished",
       [](const ControllerContext& c) -> controllers::ControllerPtr {
         controllers::TtlAfterFinishedOptions options;
         options.workers = c.config.concurrentTtlAfterFinishedSyncs;
         return std::make_unique<controllers::TtlAfterFinishedController>(c.client, c.informers,
                                                                          c.executor, options);
       },
       "ttl-after-finished-controller"},
      {"nodelifecycle",
       [](const ControllerContext& c) -> controllers::ControllerPtr {
         controllers::NodeLifecycleOptions options;
         options.nodeMonitorPeriod = c.config.nodeMonitorPeriod;
         options.nodeMonitorGracePeriod = c.config.nodeMonitorGracePeriod;
         options.nodeStartupGracePeriod = c.config.nodeStartupGracePeriod;
         options.evictionRate = c.config.nodeEvictionRate;
         options.secondaryEvictionRate = c.config.secondaryNodeEvictionRate;
         options.largeClusterSizeThreshold = c.config.largeClusterSizeThreshold;
         options.unhealthyZoneThreshold = c.config.unhealthyZoneThreshold;
         return std::make_unique<controllers::NodeLifecycleController>(c.client, c.informers, c.executor, options);
       },
       "node-controller"},
      {"taint-eviction-controller",
       [](const ControllerContext& c) -> controllers::ControllerPtr {
         return std::make_unique<controllers::TaintEvictionController>(c.client, c.informers, c.executor);
       },
       "node-controller"},
      {"podgc",
       [](const ControllerContext& c) -> controllers::ControllerPtr {
         controllers::PodGcOptions options;
         options.terminatedPodThreshold = c.config.terminatedPodGcThreshold;
         options.gcCheckPeriod = c.config.podGcPeriod;
         options.quarantineTime = c.config.podGcQuarantinePeriod;
         return std::make_unique<controllers::PodGcController>(c.client, c.informers, c.executor, options);
       },
       "pod-garbage-collector"},
      {"endpoint", makeEndpoints, "endpoint-controller"},
      {"endpointslice", makeEndpointSlices, "endpointslice-controller"},
      {"endpointslicemirroring", makeEndpointSliceMirroring, "endpointslicemirroring-controller"},
      {"persistentvolume-binder",
       [](const ControllerContext& c) -> controllers::ControllerPtr {
         controllers::PersistentVolumeOptions options;
         options.syncPeriod = c.config.pvClaimBinderSyncPeriod;
         return std::make_unique<controllers::PersistentVolumeController>(c.client, c.informers, c.executor,
                                                                          options);
       },
       "persistent-volume-binder"},
      // k3s's add-on, built in; its ServiceAccount and role are k3s's.
      {"local-path-provisioner",
       [](const ControllerContext& c) -> controllers::ControllerPtr {
         controllers::LocalPathOptions options;
         options.dir = c.config.localPathDir;
         return std::make_unique<controllers::LocalPathProvisioner>(c.client, c.informers, c.executor, options);
       },
       "local-path-provisioner-service-account"},
      {"resourcequota",
       [](const ControllerContext& c) -> controllers::ControllerPtr {
         controllers::ResourceQuotaControllerOptions options;
         options.workers = c.config.concurrentResourceQuotaSyncs;
         options.resyncPeriod = c.config.resourceQuotaSyncPeriod;
         return std::make_unique<controllers::ResourceQuotaController>(c.client, c.informers, c.executor,
                                                                       options);
       },
       "resourcequota-controller"},
      {"nodeipam", makeNodeIpam, "node-controller"},
      // Both act as upstream's certificate-controller ServiceAccount.
      {"csrapproving",
       [](const ControllerContext& c) -> controllers::ControllerPtr {
         return std::make_unique<controllers::CsrApprovingController>(c.client, c.informers, c.executor);
       },
       "certificate-controller"},
      {"csrsigning", makeCsrSigning, "certificate-controller"},
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
  cmd->add_option("--root-ca-file", c.rootCaFile,
                  "CA bundle published as kube-root-ca.crt and in token Secrets (default: the kubeconfig's CA)");
  cmd->add_option("--service-account-private-key-file", c.serviceAccountPrivateKeyFile,
                  "Key that signs legacy service-account tokens (the tokens controller runs only with it)");
  cmd->add_option("--concurrent-deployment-syncs", c.concurrentDeploymentSyncs)->capture_default_str();
  cmd->add_flag("--enable-garbage-collector,!--no-enable-garbage-collector",
                c.enableGarbageCollector, "Run the garbage collector")
      ->capture_default_str();
  cmd->add_option("--concurrent-gc-syncs", c.concurrentGcSyncs)->capture_default_str();
  cmd->add_option("--concurrent-namespace-syncs", c.concurrentNamespaceSyncs)->capture_default_str();
  cmd->add_option("--namespace-sync-period", c.namespaceSyncPeriodSeconds,
                  "Seconds between full looks at every namespace")
      ->capture_default_str();
  cmd->add_option("--concurrent-daemonset-syncs", c.concurrentDaemonSetSyncs)->capture_default_str();
  cmd->add_option("--concurrent-statefulset-syncs", c.concurrentStatefulSetSyncs)->capture_default_str();
  cmd->add_option("--concurrent-job-syncs", c.concurrentJobSyncs)->capture_default_str();
  cmd->add_option("--concurrent-cron-job-syncs", c.concurrentCronJobSyncs)->capture_default_str();
  cmd->add_option("--concurrent-ttl-after-finished-syncs", c.concurrentTtlAfterFinishedSyncs)
      ->capture_default_str();
  cmd->add_option("--job-pod-failure-backoff", c.jobPodFailureBackoffSeconds,
                  "kcpp: seconds before the first replacement of a failed Job pod (doubling; upstream's fixed 10)")
      ->capture_default_str();
  cmd->add_option("--concurrent-endpoint-syncs", c.concurrentEndpointSyncs)->capture_default_str();
  cmd->add_option("--endpoint-updates-batch-period", c.endpointUpdatesBatchPeriod,
                  "How long pod changes wait so that one Endpoints/EndpointSlice update carries several")
      ->check([](const std::string& v) {
        return sim::parseDuration(v) ? std::string() : "invalid duration \"" + v + "\"";
      })
      ->capture_default_str();
  cmd->add_option("--concurrent-service-endpoint-syncs", c.concurrentServiceEndpointSyncs)->capture_default_str();
  cmd->add_option("--max-endpoints-per-slice", c.maxEndpointsPerSlice, "Endpoints per EndpointSlice, at most")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--endpointslice-updates-batch-period", c.endpointSliceUpdatesBatchPeriod)
      ->check([](const std::string& v) {
        return sim::parseDuration(v) ? std::string() : "invalid duration \"" + v + "\"";
      })
      ->capture_default_str();
  cmd->add_option("--mirroring-concurrent-service-endpoint-syncs", c.mirroringConcurrentServiceEndpointSyncs)
      ->capture_default_str();
  cmd->add_option("--mirroring-max-endpoints-per-subset", c.mirroringMaxEndpointsPerSubset)
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  addDurationOption(cmd, "--pvclaimbinder-sync-period", c.pvClaimBinderSyncPeriod,
                    "How often persistent volumes and claims are synced");
  cmd->add_option("--local-path-dir", c.localPathDir,
                  "Directory the local-path provisioner makes volume directories in (k3s: <data-dir>/storage)");
  cmd->add_option("-v,--v", c.verbosity, "Log verbosity")->capture_default_str();
  addDurationOption(cmd, "--node-monitor-period", c.nodeMonitorPeriod, "How often node health is checked");
  addDurationOption(cmd, "--node-monitor-grace-period", c.nodeMonitorGracePeriod,
                    "How long a node may be silent before it is marked unhealthy");
  addDurationOption(cmd, "--node-startup-grace-period", c.nodeStartupGracePeriod,
                    "How long a new node may be silent before it is marked unhealthy");
  cmd->add_option("--node-eviction-rate", c.nodeEvictionRate,
                  "Nodes per second whose pods are evicted (tainted) in a healthy zone")->capture_default_str();
  cmd->add_option("--secondary-node-eviction-rate", c.secondaryNodeEvictionRate,
                  "The same, in a large unhealthy zone")->capture_default_str();
  cmd->add_option("--large-cluster-size-threshold", c.largeClusterSizeThreshold,
                  "Nodes above which a zone counts as large")->capture_default_str();
  cmd->add_option("--unhealthy-zone-threshold", c.unhealthyZoneThreshold,
                  "Fraction of not-Ready nodes (at least 3) that makes a zone unhealthy")->capture_default_str();
  cmd->add_option("--terminated-pod-gc-threshold", c.terminatedPodGcThreshold,
                  "Terminated pods kept before the oldest are deleted (0: never)")->capture_default_str();
  addDurationOption(cmd, "--pod-gc-period", c.podGcPeriod, "How often the pod garbage collector runs");
  addDurationOption(cmd, "--pod-gc-quarantine-period", c.podGcQuarantinePeriod,
                    "How long a node must be missing before its pods are deleted");
  cmd->add_option("--concurrent-resource-quota-syncs", c.concurrentResourceQuotaSyncs)->capture_default_str();
  addDurationOption(cmd, "--resource-quota-sync-period", c.resourceQuotaSyncPeriod,
                    "How often every quota's usage is recounted");
  cmd->add_flag("--allocate-node-cidrs,!--no-allocate-node-cidrs", c.allocateNodeCidrs,
                "Give every Node a pod CIDR from --cluster-cidr")
      ->capture_default_str();
  cmd->add_option("--cluster-cidr", c.clusterCidr, "CIDR range of pods in the cluster (IPv4)")
      ->capture_default_str();
  cmd->add_option("--node-cidr-mask-size", c.nodeCidrMaskSize, "Mask size of each node's pod CIDR")
      ->capture_default_str();
  cmd->add_option("--cluster-signing-cert-file", c.clusterSigningCertFile,
                  "CA certificate (PEM) that csrsigning issues cluster-scoped certificates with");
  cmd->add_option("--cluster-signing-key-file", c.clusterSigningKeyFile, "Its private key (PEM)");
  cmd->add_option("--cluster-signing-kube-apiserver-client-cert-file", c.clusterSigningKubeApiserverClientCertFile,
                  "CA for kubernetes.io/kube-apiserver-client");
  cmd->add_option("--cluster-signing-kube-apiserver-client-key-file", c.clusterSigningKubeApiserverClientKeyFile);
  cmd->add_option("--cluster-signing-kubelet-client-cert-file", c.clusterSigningKubeletClientCertFile,
                  "CA for kubernetes.io/kube-apiserver-client-kubelet");
  cmd->add_option("--cluster-signing-kubelet-client-key-file", c.clusterSigningKubeletClientKeyFile);
  cmd->add_option("--cluster-signing-kubelet-serving-cert-file", c.clusterSigningKubeletServingCertFile,
                  "CA for kubernetes.io/kubelet-serving");
  cmd->add_option("--cluster-signing-kubelet-serving-key-file", c.clusterSigningKubeletServingKeyFile);
  addDurationOption(cmd, "--cluster-signing-duration", c.clusterSigningDuration,
                    "Longest validity of the certificates csrsigning issues");
  return cmd;
}

int runControllerManager(const ControllerManagerConfig& config) {
  spdlog::set_pattern("%L%m%d %H:%M:%S.%f %t %v");
  spdlog::set_level(config.verbosity >= 2 ? spdlog::level::debug : spdlog::level::info);
  if (auto ok = validateNodeIpamFlags(config); !ok) {
    spdlog::error("{}", ok.error().message);
    return 1;
  }
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
  runUntilSignalled([&] { return manager.run(); }, [&] { manager.requestStop(); });
}

}  // namespace kcpp::cmd
