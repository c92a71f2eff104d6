#pragma once
// ServiceAccountsController (upstream pkg/controller/serviceaccount's
// ServiceAccountsController): every active namespace has a ServiceAccount named
// "default", created as soon as the namespace appears and again if deleted. Pods
// run as it unless they name another (the ServiceAccount admission plugin).

#include "controllers/pernamespace/per_namespace_controller.h"

namespace kcpp::controllers {

class ServiceAccountsController : public PerNamespaceController {
 public:
  ServiceAccountsController(client::RestClient& client, client::InformerFactory& informers,
                            boost::asio::any_io_executor executor);

 protected:
  boost::asio::awaitable<Result<void>> syncObject(const std::string& ns,
                                                  const client::ObjectPtr& current) override;
};

}  // namespace kcpp::controllers
