#include "controllers/serviceaccount/service_accounts_controller.h"

namespace kcpp::controllers {

namespace json = boost::json;

namespace {

client::ResourcePath serviceAccounts() {
  client::ResourcePath path;
  path.version = "v1";
  path.resource = "serviceaccounts";
  return path;
}

}  // namespace

ServiceAccountsController::ServiceAccountsController(client::RestClient& client,
                                                     client::InformerFactory& informers,
                                                     boost::asio::any_io_executor executor)
    : PerNamespaceController("serviceaccount", client, informers, std::move(executor), serviceAccounts(),
                             "default") {}

boost::asio::awaitable<Result<void>> ServiceAccountsController::syncObject(const std::string& ns,
                                                                           const client::ObjectPtr& current) {
  if (current) co_return Result<void>{};
  json::object account{{"apiVersion", "v1"},
                       {"kind", "ServiceAccount"},
                       {"metadata", json::object{{"name", objectName_}}}};
  auto collection = pathIn(ns, "");
  auto created = co_await client_.create(collection, account);
  // Already there: the informer had not seen it yet. Forbidden in a namespace
  // being deleted: the namespace's next event says so.
  if (!created && created.error().reason != Reason::AlreadyExists) co_return std::move(created).error();
  co_return Result<void>{};
}

}  // namespace kcpp::controllers
