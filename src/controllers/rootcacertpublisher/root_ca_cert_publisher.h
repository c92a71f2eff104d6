#pragma once
// RootCaCertPublisher (upstream pkg/controller/certificates/rootcacertpublisher):
// every active namespace has the ConfigMap kube-root-ca.crt holding the cluster
// CA (data key ca.crt) that pods use to trust the API server through their
// kube-api-access volume. It is created when a namespace appears, and restored
// if deleted or changed.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <string>

#include "apiserver/registry/registry.h"
#include "controllers/pernamespace/per_namespace_loop.h"
#include "util/error.h"

namespace kcpp::controllers {

inline constexpr const char* kRootCaConfigMapName = "kube-root-ca.crt";
inline constexpr const char* kDescriptionAnnotation = "kubernetes.io/description";
inline constexpr const char* kRootCaDescription =
    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal "
    "endpoints such as the internal service IP or kubernetes.default.svc. No other usage is "
    "guaranteed across distributions of Kubernetes clusters.";

class RootCaCertPublisher {
 public:
  // `caPem`: the CA bundle that signs the API server's serving certificate.
  RootCaCertPublisher(apiserver::Registry& namespaces, apiserver::Registry& configMaps,
                      std::string caPem);
  void start(const boost::asio::any_io_executor& executor, const std::atomic<bool>& stop) {
    loop_.start(executor, stop);
  }
  // Creates or restores the ConfigMap in `ns` if it is Active.
  boost::asio::awaitable<Result<void>> syncNamespace(const std::string& ns);

 private:
  apiserver::Registry& namespaces_;
  apiserver::Registry& configMaps_;
  std::string caPem_;
  PerNamespaceLoop loop_;
};

}  // namespace kcpp::controllers
