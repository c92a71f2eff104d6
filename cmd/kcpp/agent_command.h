#pragma once
// `kcpp agent --server URL --token T`: k3s's agent, a node joining a server.
// The join token (K10<sha256 of the server CA>::server:<password>) pins the
// server's CA.
//
// TODO(node credentials): k3s's agent trades the token for node credentials
// (a client certificate for system:node:<name>, group system:nodes). kcpp has
// no CertificateSigningRequest API (nor a /cacerts endpoint) yet, so the agent
// cannot get them from the token alone: pass --kubeconfig with the node's
// credentials; the token then checks that kubeconfig's CA.

#include <CLI/CLI.hpp>

#include <string>

#include "kubelet_command.h"

namespace kcpp::cmd {

struct AgentConfig {
  std::string server;  // https://host:port; overrides the kubeconfig's server
  std::string token;
  KubeletConfig kubelet;
};

CLI::App* addAgentCommand(CLI::App& app, AgentConfig& config);
int runAgent(AgentConfig config);

}  // namespace kcpp::cmd
