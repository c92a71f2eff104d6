#include "controllers/pernamespace/per_namespace_controller.h"

#include "api/meta/object.h"

namespace kcpp::controllers {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

client::ResourcePath namedOnly(client::ResourcePath kept, const std::string& objectName) {
  kept.query = "fieldSelector=metadata.name%3D" + objectName;
  return kept;
}

std::string namespaceOf(const json::object& obj) {
  const json::value* ns = api::findPath(obj, "metadata.namespace");
  return ns && ns->is_string() ? std::string(ns->get_string()) : std::string();
}

}  // namespace

bool isActiveNamespace(const json::object& ns) {
  if (api::findPath(ns, "metadata.deletionTimestamp")) return false;
  const json::value* phase = api::findPath(ns, "status.phase");
  return !phase || !phase->is_string() || phase->get_string() == "Active";
}

PerNamespaceController::PerNamespaceController(std::string name, client::RestClient& client,
                                               client::InformerFactory& informers,
                                               asio::any_io_executor executor, client::ResourcePath kept,
                                               std::string objectName)
    : client_(client),
      objectName_(objectName),
      name_(std::move(name)),
      informers_(informers),
      namespaces_(informers.forResource("", "v1", "namespaces")),
      kept_(kept),
      objects_(informers.forCollection(namedOnly(kept, objectName))),
      executor_(executor),
      queue_(executor) {
  namespaces_.addHandlers({
      [this](const client::ObjectPtr& ns) { queue_.add(client::objectKey(*ns)); },
      [this](const client::ObjectPtr&, const client::ObjectPtr& ns) { queue_.add(client::objectKey(*ns)); },
      nullptr,
  });
  auto enqueueNamespace = [this](const client::ObjectPtr& obj) { queue_.add(namespaceOf(*obj)); };
  objects_.addHandlers({
      enqueueNamespace,
      [enqueueNamespace](const client::ObjectPtr&, const client::ObjectPtr& obj) { enqueueNamespace(obj); },
      enqueueNamespace,
  });
}

client::ResourcePath PerNamespaceController::pathIn(const std::string& ns, const std::string& name) const {
  client::ResourcePath path = kept_;
  path.ns = ns;
  path.name = name;
  return path;
}

asio::awaitable<void> PerNamespaceController::run() {
  if (!co_await waitForCaches(informers_, executor_, name_)) co_return;
  co_await runWorkers(queue_, 1, [this](const std::string& ns) { return sync(ns); }, name_);
}

void PerNamespaceController::stop() { queue_.shutDown(); }

asio::awaitable<Result<void>> PerNamespaceController::sync(const std::string& ns) {
  client::ObjectPtr namespaceObject = namespaces_.get(ns);
  if (!namespaceObject || !isActiveNamespace(*namespaceObject)) co_return Result<void>{};
  client::ObjectPtr current = objects_.get(ns + "/" + objectName_);
  co_return co_await syncObject(ns, current);
}

}  // namespace kcpp::controllers
