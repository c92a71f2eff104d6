#pragma once
// ServiceAccountClientBuilder: a RestClient per controller that acts as the
// controller's own ServiceAccount in kube-system, as upstream's
// SAControllerClientBuilder under `--use-service-account-credentials`. The
// controller-manager's own identity creates the ServiceAccount if missing and asks
// for its tokens through the TokenRequest API; each token is replaced when 80 %
// of its lifetime has passed, so RBAC sees e.g.
// system:serviceaccount:kube-system:replicaset-controller and audit logs name
// the controller that made each write.
//
// Not thread-safe: use it on the root client's executor.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "client/rest/rest_client.h"

namespace kcpp::client {

class ServiceAccountClientBuilder {
 public:
  static constexpr const char* kNamespace = "kube-system";
  static constexpr std::int64_t kTokenSeconds = 3600;  // as upstream

  // `root` authenticates as the controller-manager; the built clients reach the
  // same server with the same CA but only a bearer token.
  ServiceAccountClientBuilder(RestClient& root, boost::asio::any_io_executor executor,
                              ClientOptions options);

  // A client authenticating as kube-system/<serviceAccount>, its token renewed
  // until stop(). The builder keeps the client alive.
  boost::asio::awaitable<Result<RestClient*>> clientFor(const std::string& serviceAccount);
  void stop() { stopped_ = true; }

 private:
  struct Token {
    std::string value;
    std::chrono::seconds lifetime;
  };
  boost::asio::awaitable<Result<void>> ensureServiceAccount(const std::string& name);
  boost::asio::awaitable<Result<Token>> requestToken(const std::string& name);
  boost::asio::awaitable<void> renewLoop(std::string name, RestClient* client,
                                         std::chrono::seconds lifetime);

  RestClient& root_;
  boost::asio::any_io_executor executor_;
  ClientOptions options_;
  std::vector<RestClientPtr> clients_;
  bool stopped_ = false;
};

}  // namespace kcpp::client
