#include "controllers/rootcacertpublisher/root_ca_cert_publisher.h"

#include "api/meta/object.h"

namespace kcpp::controllers {

namespace json = boost::json;

namespace {

// Upstream compares data as a whole and only that the description is there.
bool isCurrent(const json::object& configMap, const json::object& data) {
  const json::object* current = api::findObject(configMap, "data");
  if (!current || *current != data) return false;
  const json::value* annotations = api::findPath(configMap, "metadata.annotations");
  return annotations && annotations->is_object() &&
         !api::getString(annotations->get_object(), kDescriptionAnnotation).empty();
}

}  // namespace

RootCaCertPublisher::RootCaCertPublisher(apiserver::Registry& namespaces,
                                         apiserver::Registry& configMaps, std::string caPem)
    : namespaces_(namespaces),
      configMaps_(configMaps),
      caPem_(std::move(caPem)),
      loop_("root-ca-cert-publisher", namespaces, configMaps, kRootCaConfigMapName,
            [this](const std::string& ns) { return syncNamespace(ns); }) {}

boost::asio::awaitable<Result<void>> RootCaCertPublisher::syncNamespace(const std::string& ns) {
  if (!isActiveNamespace(namespaces_, ns)) co_return Result<void>{};
  json::object data{{"ca.crt", caPem_}};
  apiserver::WriteOptions asServer;  // no user: not admitted, as a loopback write
  auto found = configMaps_.cache().peek(configMaps_.key(ns, kRootCaConfigMapName));
  if (!found || !found->json) {
    json::object configMap{
        {"apiVersion", "v1"},
        {"kind", "ConfigMap"},
        {"metadata", json::object{{"name", kRootCaConfigMapName},
                                  {"annotations", json::object{{kDescriptionAnnotation,
                                                                kRootCaDescription}}}}},
        {"data", std::move(data)}};
    auto created = co_await configMaps_.create(ns, std::move(configMap), asServer);
    // Already there: the cache had not seen it yet; its event brings us back.
    if (!created && created.error().reason != Reason::AlreadyExists) {
      co_return std::move(created).error();
    }
    co_return Result<void>{};
  }
  auto parsed = api::parseJson(*found->json);
  if (!parsed) co_return std::move(parsed).error();
  if (!parsed->is_object()) co_return makeError(Reason::InternalError, "cached ConfigMap is not an object");
  json::object configMap = std::move(parsed->get_object());
  if (isCurrent(configMap, data)) co_return Result<void>{};
  configMap["data"] = std::move(data);
  api::ensureObject(api::ensureObject(configMap, "metadata"), "annotations")[kDescriptionAnnotation] =
      kRootCaDescription;
  // The cached resourceVersion is a precondition: a newer change conflicts,
  // and its event brings us back.
  const std::string name = kRootCaConfigMapName;
  auto updated = co_await configMaps_.update(ns, name, std::move(configMap),
                                             apiserver::Subresource::None, asServer);
  if (!updated) co_return std::move(updated).error();
  co_return Result<void>{};
}

}  // namespace kcpp::controllers
