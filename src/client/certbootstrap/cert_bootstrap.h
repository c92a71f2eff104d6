#pragma once
// Node TLS bootstrap (upstream's kubelet bootstrap, k3s's agent join): with a
// bootstrap credential (the server's K10 join token), a node makes a key, asks
// for a kubelet client certificate through the certificates.k8s.io/v1 CSR API
// (signer kubernetes.io/kube-apiserver-client-kubelet, CN system:node:<name>,
// O system:nodes, usages digital signature + client auth), waits until the
// controller-manager has approved and issued it, and from then on talks to the
// API with it. Shared by `kcpp sim --server --token` and the node agent.
//
//   if (auto ok = verifyCaHash(caPem, token); !ok) ...   // K10 tokens pin the CA
//   auto creds = co_await requestNodeCredentials(bootstrapClient, "n1", 5min);
//   Kubeconfig kc{server, caPem, creds->certificatePem, creds->keyPem};

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <string>
#include <string_view>

#include "client/rest/rest_client.h"
#include "util/error.h"

namespace kcpp::client::certbootstrap {

// A K10 token (`K10<sha256 of the CA file, hex>::<user>:<password>`) names the
// CA it expects: Unauthorized when `caPem` is another one. Bare tokens pass.
Result<void> verifyCaHash(std::string_view caPem, std::string_view token);

struct NodeCredentials {
  std::string certificatePem;
  std::string keyPem;
  std::string csrName;
};

// Asks for node `nodeName`'s client certificate with `bootstrap` (a client
// authenticated with the bootstrap token) and waits up to `timeout` for it;
// a Denied or Failed request is an error naming its reason.
boost::asio::awaitable<Result<NodeCredentials>> requestNodeCredentials(RestClient& bootstrap, std::string nodeName,
                                                                       std::chrono::milliseconds timeout);

}  // namespace kcpp::client::certbootstrap
