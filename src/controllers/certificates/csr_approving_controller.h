#pragma once
// csrapproving (upstream pkg/controller/certificates/approver): auto-approves
// kubelet client certificate requests (signer
// kubernetes.io/kube-apiserver-client-kubelet, CN system:node:<name>,
// O system:nodes, usages client auth + digital signature) whose requester may
// `create` certificatesigningrequests/selfnodeclient (renewing its own
// credential: username equals the CN) or .../nodeclient, asked through a
// SubjectAccessReview. Approval: the Approved condition, reason AutoApproved,
// written through /approval. Anything else is left for a person
// (`kubectl certificate approve`).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <string>

#include "client/informer/informer_factory.h"
#include "client/rest/rest_client.h"
#include "client/workqueue/work_queue.h"
#include "controllers/common/controller.h"

namespace kcpp::controllers {

class CsrApprovingController : public Controller {
 public:
  CsrApprovingController(client::RestClient& client, client::InformerFactory& informers,
                         boost::asio::any_io_executor executor);
  boost::asio::awaitable<void> run() override;
  void stop() override { queue_.shutDown(); }

 private:
  boost::asio::awaitable<Result<void>> sync(const std::string& name);
  // May the requester of `csr` create certificatesigningrequests/<subresource>?
  boost::asio::awaitable<Result<bool>> authorized(const boost::json::object& csr, const std::string& subresource);

  client::RestClient& client_;
  client::InformerFactory& informers_;
  boost::asio::any_io_executor executor_;
  client::Informer& csrs_;
  client::WorkQueue queue_;
};

}  // namespace kcpp::controllers
