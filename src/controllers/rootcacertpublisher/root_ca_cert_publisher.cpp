#include "controllers/rootcacertpublisher/root_ca_cert_publisher.h"

#include "api/meta/object.h"

namespace kcpp::controllers {

namespace json = boost::json;

namespace {

client::ResourcePath configMaps() {
  client::ResourcePath path;
  path.version = "v1";
  path.resource = "configmaps";
  return path;
}

// Upstream compares data as a whole and only that the description is there.
bool isCurrent(const json::object& configMap, const json::object& data) {
  const json::object* current = api::findObject(configMap, "data");
  if (!current || *current != data) return false;
  const json::value* annotations = api::findPath(configMap, "metadata.annotations");
  return annotations && annotations->is_object() &&
         !api::getString(annotations->get_object(), kDescriptionAnnotation).empty();
}

}  // namespace

RootCaCertPublisher::RootCaCertPublisher(client::RestClient& client, client::InformerFactory& informers,
                                         boost::asio::any_io_executor executor, std::string caPem)
    : PerNamespaceController("root-ca-cert-publisher", client, informers, std::move(executor), configMaps(),
                             kRootCaConfigMapName),
      caPem_(std::move(caPem)) {}

boost::asio::awaitable<Result<void>> RootCaCertPublisher::syncObject(const std::string& ns,
                                                                     const client::ObjectPtr& current) {
  json::object data{{"ca.crt", caPem_}};
  if (!current) {
    json::object configMap{
        {"apiVersion", "v1"},
        {"kind", "ConfigMap"},
        {"metadata", json::object{{"name", objectName_},
                                  {"annotations", json::object{{kDescriptionAnnotation, kRootCaDescription}}}}},
        {"data", std::move(data)}};
    auto collection = pathIn(ns, "");
    auto created = co_await client_.create(collection, configMap);
    // Already there: the informer had not seen it yet; its event brings us back.
    if (!created && created.error().reason != Reason::AlreadyExists) co_return std::move(created).error();
    co_return Result<void>{};
  }
  if (isCurrent(*current, data)) co_return Result<void>{};
  json::object configMap = *current;
  configMap["data"] = std::move(data);
  api::ensureObject(api::ensureObject(configMap, "metadata"), "annotations")[kDescriptionAnnotation] =
      kRootCaDescription;
  // The cached resourceVersion is a precondition: a newer change conflicts,
  // and its event brings us back.
  auto path = pathIn(ns, objectName_);
  auto updated = co_await client_.update(path, configMap);
  if (!updated) co_return std::move(updated).error();
  co_return Result<void>{};
}

}  // namespace kcpp::controllers
