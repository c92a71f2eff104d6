#include "agent_command.h"

#include <spdlog/spdlog.h>

#include "apiserver/authn/join_token.h"
#include "component_signals.h"
#include "kubelet_runner.h"
#include "pki/kubeconfig.h"

namespace kcpp::cmd {

CLI::App* addAgentCommand(CLI::App& app, AgentConfig& c) {
  CLI::App* cmd = app.add_subcommand("agent", "Run a node agent joining a server");
  cmd->add_option("--server,-s", c.server, "The server to join (https://host:port)");
  cmd->add_option("--token,-t", c.token, "The server's join token (K10...)");
  KubeletConfig& k = c.kubelet;
  cmd->add_option("--kubeconfig", k.kubeconfig,
                  "kubeconfig with the node's credentials (needed until kcpp can issue them from the token)");
  cmd->add_option("--node-name", k.nodeName, "The Node's name (default: the host name, lowercased)");
  cmd->add_option("--data-dir,-d", k.dataDir, "Folder to hold state (default /var/lib/kcpp as root, ~/.kcpp otherwise)");
  cmd->add_option("--node-ip", k.nodeIp, "The node's InternalIP");
  cmd->add_option("--kubelet-port", k.port, "The kubelet's port")->capture_default_str()->check(CLI::Range(1, 65535));
  cmd->add_option("--pod-manifest-path", k.podManifestPath, "Folder of static pod manifests");
  cmd->add_option("--node-label", k.nodeLabels, "A label to register the node with (k=v; repeatable)");
  cmd->add_option("--node-taint", k.registerWithTaints, "A taint to register the node with (k=v:Effect; repeatable)");
  cmd->add_option("-v,--v", k.verbosity, "Log verbosity")->capture_default_str();
  return cmd;
}

int runAgent(AgentConfig config) {
  spdlog::set_pattern("%L%m%d %H:%M:%S.%f %t %v");
  spdlog::set_level(config.kubelet.verbosity >= 2 ? spdlog::level::debug : spdlog::level::info);
  if (config.kubelet.kubeconfig.empty()) {
    // TODO(node credentials): see agent_command.h; needs the CSR API.
    spdlog::error("kcpp agent: getting node credentials from --token needs the CertificateSigningRequest API, "
                  "which kcpp does not serve yet; pass --kubeconfig with the node's credentials");
    return 1;
  }
  auto kubeconfig = pki::readKubeconfig(config.kubelet.kubeconfig);
  if (!kubeconfig) {
    spdlog::error("kubeconfig: {}", kubeconfig.error().message);
    return 1;
  }
  if (!config.server.empty()) kubeconfig->server = config.server;
  if (!config.token.empty()) {
    apiserver::JoinToken token = apiserver::parseJoinToken(config.token);
    if (token.caHash.empty()) {
      spdlog::error("--token: a bare password cannot pin the server's CA; use the full K10 token");
      return 1;
    }
    if (apiserver::formatJoinToken(kubeconfig->certificateAuthorityPem, token.password) != config.token) {
      spdlog::error("--token: the server's CA does not match the token's CA hash");
      return 1;
    }
  }
  completeKubeletConfig(config.kubelet);
  KubeletRunner runner(config.kubelet, std::move(*kubeconfig));
  if (auto ok = runner.init(); !ok) {
    spdlog::error("{}", ok.error().message);
    return 1;
  }
  runUntilSignalled([&] { return runner.run(); }, [&] { runner.requestStop(); });
}

}  // namespace kcpp::cmd
