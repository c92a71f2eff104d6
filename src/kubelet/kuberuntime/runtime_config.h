#pragma once
// Pod spec → CRI configs, as upstream's kuberuntime_sandbox.go
// (generatePodSandboxConfig), kuberuntime_container.go (generateContainerConfig),
// security_context.go and network/dns/dns.go.

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "cri/api.pb.h"
#include "kubelet/kuberuntime/env_vars.h"
#include "util/error.h"

namespace kcpp::kubelet::kuberuntime {

namespace v1 = ::runtime::v1;

struct RuntimeOptions {
  std::string dataDir = "/var/lib/kcpp/agent";    // <data-dir>/agent: logs/, pods/
  std::vector<std::string> clusterDns;            // --cluster-dns
  std::string clusterDomain = "cluster.local";    // --cluster-domain
  std::string resolvConf = "/etc/resolv.conf";    // --resolv-conf ("" : none)
  std::string cgroupParent;                       // "" : the runtime's default
  std::int64_t memoryCapacityBytes = 0;           // node memory, for oom_score_adj
  std::int64_t nodeAllocatableMilliCpu = 0;       // for resourceFieldRef limits
  std::int64_t nodeAllocatableMemoryBytes = 0;
  // CrashLoopBackOff: upstream's 10 s doubling to 5 min (shorter in tests).
  std::chrono::milliseconds crashBackoffInitial{std::chrono::seconds(10)};
  std::chrono::milliseconds crashBackoffMax{std::chrono::minutes(5)};
};

// A mount of a volume into one container (the VolumeManager's Mount).
struct ContainerMount {
  std::string containerPath;
  std::string hostPath;
  bool readOnly = false;
  std::string propagation;  // "", "HostToContainer", "Bidirectional"
};

// The resolver settings of a resolv.conf text.
struct ResolvConf {
  std::vector<std::string> nameservers, searches, options;
};
ResolvConf parseResolvConf(std::string_view text);

// The pod's DNS (dnsPolicy ClusterFirst/ClusterFirstWithHostNet/Default/None
// plus spec.dnsConfig), given the host's resolv.conf.
v1::DNSConfig podDnsConfig(const json::object& pod, const RuntimeOptions& options, const ResolvConf& host);

// GeneratePodHostNameAndDomain's hostname (spec.hostname or the pod name, ≤ 63).
std::string podHostname(const json::object& pod);

// <dataDir>/logs/pods/<ns>_<name>_<uid>
std::string podLogDirectory(const json::object& pod, const RuntimeOptions& options);

v1::PodSandboxConfig makeSandboxConfig(const json::object& pod, int attempt, const RuntimeOptions& options,
                                       const ResolvConf& hostResolv);

struct ContainerInputs {
  int restartCount = 0;
  std::string imageRef;            // what EnsureImageExists answered ("" : the spec's image)
  std::vector<EnvVar> env;
  std::vector<ContainerMount> mounts;
  std::string terminationMessageHostPath;  // "" : no termination message file
};

// The ContainerConfig of a container (regular or init). Command and args get
// $(VAR) expansion from `env`, as upstream's ExpandContainerCommandAndArgs.
v1::ContainerConfig makeContainerConfig(const json::object& pod, const json::object& container,
                                        const ContainerInputs& inputs, const RuntimeOptions& options);

// The pod's /etc/hosts as upstream's kubelet manages it (kubelet_pods.go
// managedHostsFileContent): localhost entries, the pod's IPs with its hostname
// (FQDN first with a subdomain), then spec.hostAliases.
std::string etcHostsContent(const json::object& pod, const std::vector<std::string>& podIps,
                            const RuntimeOptions& options);
// Whether containers of this pod get the managed /etc/hosts (not with host
// networking, and not when the container mounts its own /etc/hosts).
bool wantsManagedEtcHosts(const json::object& pod, const json::object& container);

// The grace period a pod's containers get: deletionGracePeriodSeconds when
// deleting, else spec.terminationGracePeriodSeconds (default 30).
std::int64_t podGracePeriod(const json::object& pod);

}  // namespace kcpp::kubelet::kuberuntime
