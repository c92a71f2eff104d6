#pragma once
// `kcpp server`: the API server, its datastore, and (later) the controllers,
// scheduler and a local node agent, in one process. Flags follow k3s's names.

#include <CLI/CLI.hpp>

#include "controller_manager_command.h"

#include <cstdint>
#include <string>
#include <vector>

#include "audit_log.h"
#include "kubelet_command.h"

namespace kcpp::cmd {

struct ServerConfig {
  std::string dataDir;
  std::string bindAddress = "0.0.0.0";
  int httpsListenPort = 6443;
  std::string writeKubeconfig;  // default <data-dir>/kubeconfig.yaml
  std::string serviceCidr = "10.43.0.0/16";
  std::string serviceNodePortRange = "30000-32767";
  std::string clusterDomain = "cluster.local";
  // The embedded agent (kubelet) is opt-in until the pod-running parts merge:
  // `--disable-agent=false` runs it. k3s's default is to run it.
  bool disableAgent = true;
  bool disableControllerManager = false;  // k3s's flag: run no controllers in-process
  ControllerManagerConfig controllerManager;  // the embedded one's settings
  // k3s's --kube-controller-manager-arg: "flag=value" items, the embedded
  // controller-manager's own flags (e.g. node-monitor-grace-period=10s).
  std::vector<std::string> controllerManagerArgs;
  bool disableScheduler = false;              // k3s's flag: run no scheduler in-process
  // The embedded controller-manager and scheduler reach the API in memory
  // (apiserver/loopback); false: over HTTPS to the loopback address, as
  // separate processes do (kept to compare the two).
  bool embeddedLoopback = true;
  int verbosity = 0;
  int compactIntervalSeconds = 300;  // upstream's apiserver compacts every 5 minutes
  // Secrets encrypted at rest (AES-GCM, key in <data-dir>/server/cred/encryption-config.json).
  bool secretsEncryption = true;
  bool secretsEncryptionRotate = false;  // add a new write key and re-encrypt on start
  std::string tokenAuthFile;  // --token-auth-file: static bearer tokens (CSV)
  bool anonymousAuth = true;  // --anonymous-auth: no credentials → system:anonymous
  std::string token;          // --token: the server's join token (k3s's)
  std::vector<std::string> enableAdmissionPlugins;
  std::vector<std::string> disableAdmissionPlugins;
  AuditConfig audit;  // --audit-* flags
  KubeletConfig agent;  // the embedded agent's settings (--node-name, --kubelet-port, --node-ip, ...)
  // --kubelet-certificate-authority: CA of kubelets' serving certificates;
  // empty: not verified (upstream's default).
  std::string kubeletCertificateAuthority;
  int kubeletTimeoutSeconds = 5;  // --kubelet-timeout: dialing a kubelet
};

// Adds the `server` subcommand's flags to `app`, filling `config`.
CLI::App* addServerCommand(CLI::App& app, ServerConfig& config);
int runServer(ServerConfig config);

}  // namespace kcpp::cmd
