#pragma once
// kubeconfig files: the writer the server uses for its admin credentials (the shape
// k3s writes, cluster/user/context all named "default", credentials embedded as
// *-data), and a minimal reader for kcpp's own clients and benchmarks.

#include <filesystem>
#include <string>
#include <string_view>

#include "util/error.h"

namespace kcpp::pki {

// What a client needs to reach and authenticate to one cluster. PEM fields hold PEM
// text (not base64 of it); the reader fills them from *-data or from the file paths.
struct Kubeconfig {
  std::string server;  // e.g. https://127.0.0.1:6443
  std::string certificateAuthorityPem;
  std::string clientCertificatePem;
  std::string clientKeyPem;
  std::string token;
  std::string tlsServerName;
  std::string namespaceName;  // the context's namespace, "" if unset
  bool insecureSkipTlsVerify = false;
};

// The server URL kcpp's own kubeconfigs use: https://127.0.0.1:<port>.
std::string loopbackServerUrl(int port);

// The YAML text of a kubeconfig with one cluster, user and context named "default".
std::string renderKubeconfig(const Kubeconfig& config);

// Writes renderKubeconfig(config) to `path` atomically, mode 0600 (as k3s, for CIS).
Result<void> writeKubeconfig(const std::filesystem::path& path, const Kubeconfig& config);

// Reads the context `contextName` (the current-context if empty). Relative file paths
// (certificate-authority, client-certificate, client-key, tokenFile) are resolved
// against `baseDir`, as kubectl resolves them against the kubeconfig's directory.
Result<Kubeconfig> parseKubeconfig(std::string_view yaml, const std::filesystem::path& baseDir,
                                   std::string_view contextName = {});

// parseKubeconfig of a file, relative paths resolved against its directory.
Result<Kubeconfig> readKubeconfig(const std::filesystem::path& path,
                                  std::string_view contextName = {});

}  // namespace kcpp::pki
