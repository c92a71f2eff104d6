#pragma once
// `kcpp kubelet`: the node agent, as upstream's kubelet with k3s's layout
// (<data-dir>/agent/...). Flags follow upstream's names.

#include <CLI/CLI.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace kcpp::cmd {

struct KubeletConfig {
  std::string kubeconfig;
  std::string nodeName;          // --node-name / --hostname-override; default the host name, lowercased
  std::string dataDir;           // default /var/lib/kcpp as root, ~/.kcpp otherwise
  std::string podManifestPath;   // default <data-dir>/agent/pod-manifests
  std::string nodeIp;            // --node-ip
  int port = 10250;              // --port (k3s: --kubelet-port)
  int maxPods = 110;
  std::string kubeReserved;      // "cpu=100m,memory=100Mi"
  std::string systemReserved;
  std::vector<std::string> nodeLabels;       // k=v
  std::vector<std::string> registerWithTaints;  // k=v:Effect
  std::string fileCheckFrequency = "20s";
  std::string nodeStatusUpdateFrequency = "10s";
  std::string nodeStatusReportFrequency = "5m";
  double kubeApiQps = 50;
  int kubeApiBurst = 100;
  int verbosity = 0;
  // Set by `kcpp server` for its own agent: labels the server applies with
  // its own credentials once the Node exists (NodeRestriction forbids a
  // kubelet from setting node-role labels on itself), as k3s.
  std::vector<std::pair<std::string, std::string>> serverAppliedLabels;
  std::string kubeletVersion = "v1.33.0+kcpp";
};

CLI::App* addKubeletCommand(CLI::App& app, KubeletConfig& config);
// Fills defaults (node name, data dir, manifest path).
void completeKubeletConfig(KubeletConfig& config);
int runKubelet(KubeletConfig config);

}  // namespace kcpp::cmd
