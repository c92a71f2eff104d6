#pragma once
// csrsigning (upstream pkg/controller/certificates/signer): issues the
// certificate of every Approved (not Denied or Failed) CertificateSigningRequest
// of the signers it has a CA for (kubernetes.io/kube-apiserver-client,
// kube-apiserver-client-kubelet, kubelet-serving), valid for
// --cluster-signing-duration or the request's expirationSeconds if shorter,
// written to status.certificate through /status. A request the signer must not
// sign (usages or subject its rules forbid) gets the Failed condition
// (SignerValidationFailure) instead.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "client/informer/informer_factory.h"
#include "client/rest/rest_client.h"
#include "client/workqueue/work_queue.h"
#include "controllers/common/controller.h"
#include "pki/certificate.h"

namespace kcpp::controllers {

struct CsrSigningOptions {
  std::map<std::string, std::shared_ptr<const pki::CertifiedKey>> signers;  // signerName → CA
  std::chrono::seconds duration{std::chrono::hours(8760)};  // --cluster-signing-duration
};

class CsrSigningController : public Controller {
 public:
  CsrSigningController(client::RestClient& client, client::InformerFactory& informers,
                       boost::asio::any_io_executor executor, CsrSigningOptions options);
  boost::asio::awaitable<void> run() override;
  void stop() override { queue_.shutDown(); }

 private:
  boost::asio::awaitable<Result<void>> sync(const std::string& name);
  boost::asio::awaitable<Result<void>> writeStatus(boost::json::object csr);

  client::RestClient& client_;
  client::InformerFactory& informers_;
  boost::asio::any_io_executor executor_;
  client::Informer& csrs_;
  client::WorkQueue queue_;
  CsrSigningOptions options_;
};

}  // namespace kcpp::controllers
