#include "controllers/serviceaccount/service_accounts_controller.h"

namespace kcpp::controllers {

namespace json = boost::json;

namespace {
constexpr const char* kDefaultAccount = "default";
}

ServiceAccountsController::ServiceAccountsController(apiserver::Registry& namespaces,
                                                     apiserver::Registry& serviceAccounts)
    : namespaces_(namespaces),
      serviceAccounts_(serviceAccounts),
      loop_("serviceaccount", namespaces, serviceAccounts, kDefaultAccount,
            [this](const std::string& ns) { return syncNamespace(ns); }) {}

boost::asio::awaitable<Result<void>> ServiceAccountsController::syncNamespace(
    const std::string& ns) {
  if (!isActiveNamespace(namespaces_, ns)) co_return Result<void>{};
  if (serviceAccounts_.cache().peek(serviceAccounts_.key(ns, kDefaultAccount))) {
    co_return Result<void>{};
  }
  json::object account{{"apiVersion", "v1"},
                       {"kind", "ServiceAccount"},
                       {"metadata", json::object{{"name", kDefaultAccount}}}};
  apiserver::WriteOptions asServer;  // no user: not admitted, as a loopback write
  auto created = co_await serviceAccounts_.create(ns, std::move(account), asServer);
  // Already there: the cache had not seen it yet.
  if (!created && created.error().reason != Reason::AlreadyExists) {
    co_return std::move(created).error();
  }
  co_return Result<void>{};
}

}  // namespace kcpp::controllers
