#pragma once
// RootCaCertPublisher (upstream pkg/controller/certificates/rootcacertpublisher):
// every active namespace has the ConfigMap kube-root-ca.crt holding the cluster
// CA (data key ca.crt) that pods use to trust the API server through their
// kube-api-access volume. It is created when a namespace appears, and restored
// if deleted or changed.

#include "controllers/pernamespace/per_namespace_controller.h"

namespace kcpp::controllers {

inline constexpr const char* kRootCaConfigMapName = "kube-root-ca.crt";
inline constexpr const char* kDescriptionAnnotation = "kubernetes.io/description";
inline constexpr const char* kRootCaDescription =
    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal "
    "endpoints such as the internal service IP or kubernetes.default.svc. No other usage is "
    "guaranteed across distributions of Kubernetes clusters.";

class RootCaCertPublisher : public PerNamespaceController {
 public:
  // `caPem`: the CA bundle that signs the API server's serving certificate.
  RootCaCertPublisher(client::RestClient& client, client::InformerFactory& informers,
                      boost::asio::any_io_executor executor, std::string caPem);

 protected:
  boost::asio::awaitable<Result<void>> syncObject(const std::string& ns,
                                                  const client::ObjectPtr& current) override;

 private:
  std::string caPem_;
};

}  // namespace kcpp::controllers
