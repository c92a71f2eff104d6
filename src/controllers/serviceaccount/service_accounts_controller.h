#pragma once
// ServiceAccountsController (upstream pkg/controller/serviceaccount's
// ServiceAccountsController): every active namespace has a ServiceAccount named
// "default", created as soon as the namespace appears and again if deleted. Pods
// run as it unless they name another (the ServiceAccount admission plugin).
// (Upstream's tokens controller, which made legacy token secrets, is not here.)

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <string>

#include "apiserver/registry/registry.h"
#include "controllers/pernamespace/per_namespace_loop.h"
#include "util/error.h"

namespace kcpp::controllers {

class ServiceAccountsController {
 public:
  ServiceAccountsController(apiserver::Registry& namespaces, apiserver::Registry& serviceAccounts);
  void start(const boost::asio::any_io_executor& executor, const std::atomic<bool>& stop) {
    loop_.start(executor, stop);
  }
  // Creates the default account in `ns` if it is Active and lacks one.
  boost::asio::awaitable<Result<void>> syncNamespace(const std::string& ns);

 private:
  apiserver::Registry& namespaces_;
  apiserver::Registry& serviceAccounts_;
  PerNamespaceLoop loop_;
};

}  // namespace kcpp::controllers
