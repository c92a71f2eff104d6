#include "kubelet_command.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "component_signals.h"
#include "kubelet_runner.h"
#include "pki/kubeconfig.h"

namespace kcpp::cmd {

namespace {

std::string lowercaseHostname() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  std::string name = host;
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  return name;
}

}  // namespace

CLI::App* addKubeletCommand(CLI::App& app, KubeletConfig& c) {
  CLI::App* cmd = app.add_subcommand("kubelet", "Run the node agent (kubelet)");
  cmd->add_option("--kubeconfig", c.kubeconfig, "kubeconfig of the API server (the node's credentials)")
      ->required();
  cmd->add_option("--node-name,--hostname-override", c.nodeName,
                  "The Node's name (default: the host name, lowercased)");
  cmd->add_option("--data-dir,-d", c.dataDir,
                  "Folder to hold state (default /var/lib/kcpp as root, ~/.kcpp otherwise); the kubelet's is <data-dir>/agent");
  cmd->add_option("--pod-manifest-path", c.podManifestPath,
                  "Folder of static pod manifests (default <data-dir>/agent/pod-manifests)");
  cmd->add_option("--node-ip", c.nodeIp, "The node's InternalIP (default: the address of the default route's interface)");
  cmd->add_option("--port,--kubelet-port", c.port, "The kubelet's port (reported in the Node's daemonEndpoints)")
      ->capture_default_str()->check(CLI::Range(1, 65535));
  cmd->add_option("--max-pods", c.maxPods, "Pods this node can run")->capture_default_str()->check(CLI::Range(1, 100000));
  cmd->add_option("--kube-reserved", c.kubeReserved, "Resources reserved for Kubernetes components (cpu=100m,memory=100Mi,...)");
  cmd->add_option("--system-reserved", c.systemReserved, "Resources reserved for the system (cpu=100m,memory=100Mi,...)");
  cmd->add_option("--node-labels", c.nodeLabels, "Labels to register the node with (k=v)")->delimiter(',');
  cmd->add_option("--register-with-taints", c.registerWithTaints, "Taints to register the node with (k=v:Effect)")
      ->delimiter(',');
  cmd->add_option("--file-check-frequency", c.fileCheckFrequency, "How often the manifest folder is re-read")
      ->capture_default_str();
  cmd->add_option("--node-status-update-frequency", c.nodeStatusUpdateFrequency,
                  "How often the node status is computed (posted when it changed)")->capture_default_str();
  cmd->add_option("--node-status-report-frequency", c.nodeStatusReportFrequency,
                  "How often the node status is posted when it did not change")->capture_default_str();
  cmd->add_option("--kube-api-qps", c.kubeApiQps, "QPS to the API server")->capture_default_str();
  cmd->add_option("--kube-api-burst", c.kubeApiBurst, "Burst to the API server")->capture_default_str();
  cmd->add_option("-v,--v", c.verbosity, "Log verbosity")->capture_default_str();
  return cmd;
}

void completeKubeletConfig(KubeletConfig& c) {
  if (c.nodeName.empty()) c.nodeName = lowercaseHostname();
  if (c.dataDir.empty()) {
    const char* home = std::getenv("HOME");
    c.dataDir = geteuid() == 0 ? "/var/lib/kcpp" : std::string(home ? home : ".") + "/.kcpp";
  }
  if (c.podManifestPath.empty()) c.podManifestPath = c.dataDir + "/agent/pod-manifests";
}

int runKubelet(KubeletConfig config) {
  spdlog::set_pattern("%L%m%d %H:%M:%S.%f %t %v");
  spdlog::set_level(config.verbosity >= 2 ? spdlog::level::debug : spdlog::level::info);
  completeKubeletConfig(config);
  auto kubeconfig = pki::readKubeconfig(config.kubeconfig);
  if (!kubeconfig) {
    spdlog::error("kubeconfig: {}", kubeconfig.error().message);
    return 1;
  }
  KubeletRunner runner(config, std::move(*kubeconfig));
  if (auto ok = runner.init(); !ok) {
    spdlog::error("{}", ok.error().message);
    return 1;
  }
  runUntilSignalled([&] { return runner.run(); }, [&] { runner.requestStop(); });
}

}  // namespace kcpp::cmd
