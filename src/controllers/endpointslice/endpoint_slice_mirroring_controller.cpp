#include "controllers/endpointslice/endpoint_slice_mirroring_controller.h"

#include <spdlog/spdlog.h>

#include "api/meta/object.h"
#include "controllers/endpointslice/desired_endpoints.h"
#include "controllers/endpointslice/endpoint_slice_controller.h"
#include "controllers/endpointutil/pod_endpoints.h"

namespace kcpp::controllers {

namespace asio = boost::asio;
using client::ObjectPtr;
using endpointutil::labelOf;
namespace es = endpointslice;

namespace {

constexpr std::string_view kMirroringName = "endpointslicemirroring-controller.k8s.io";
constexpr std::string_view kSkipMirrorLabel = "endpointslice.kubernetes.io/skip-mirror";
// Endpoints the Endpoints controller writes carry this (it also writes their slices' twins).
constexpr std::string_view kEndpointsManagedBy = "endpoints.kubernetes.io/managed-by";

bool mirroredByUs(const json::object& slice) { return labelOf(slice, es::kManagedByLabel) == kMirroringName; }

std::string serviceKeyOf(const json::object& slice) {
  return std::string(api::metaNamespace(slice)) + "/" + labelOf(slice, endpointutil::kServiceNameLabel);
}

client::ResourcePath slicesPath(const std::string& ns, const std::string& name = "") {
  return client::ResourcePath{"discovery.k8s.io", "v1", "endpointslices", ns, name, "", ""};
}

// What the slices take from both objects: the Service's identity (owner,
// headless) and the Endpoints' labels.
json::object labelSource(const json::object& service, const json::object& endpoints) {
  json::object source = service;
  json::object& meta = api::ensureObject(source, "metadata");
  if (const json::value* labels = api::findPath(endpoints, "metadata.labels"); labels && labels->is_object()) {
    meta["labels"] = *labels;
  } else {
    meta.erase("labels");
  }
  return source;
}

json::array slicePorts(const json::object& subset) {
  json::array out;
  const json::value* ports = subset.if_contains("ports");
  if (!ports || !ports->is_array()) return out;
  for (const json::value& p : ports->get_array()) {
    if (!p.is_object()) continue;
    const json::object& port = p.get_object();
    std::string protocol(api::getString(port, "protocol"));
    json::object sp{{"name", api::getString(port, "name")},
                    {"port", port.contains("port") ? port.at("port") : json::value(0)},
                    {"protocol", protocol.empty() ? "TCP" : protocol}};
    if (!api::getString(port, "appProtocol").empty()) sp["appProtocol"] = api::getString(port, "appProtocol");
    out.push_back(std::move(sp));
  }
  return out;
}

json::object addressToEndpoint(const json::object& address, bool ready) {
  json::object ep{{"addresses", json::array{json::value(api::getString(address, "ip"))}},
                  {"conditions", json::object{{"ready", ready}}}};
  if (!api::getString(address, "hostname").empty()) ep["hostname"] = api::getString(address, "hostname");
  if (!api::getString(address, "nodeName").empty()) ep["nodeName"] = api::getString(address, "nodeName");
  if (const json::value* ref = address.if_contains("targetRef"); ref && ref->is_object()) ep["targetRef"] = *ref;
  return ep;
}

// Address type → port groups, from the Endpoints' subsets.
std::map<std::string, es::PortGroups> desiredFromEndpoints(const json::object& endpoints, std::size_t maxPerSubset) {
  std::map<std::string, es::PortGroups> out;
  const json::value* subsets = endpoints.if_contains("subsets");
  if (!subsets || !subsets->is_array()) return out;
  for (const json::value& s : subsets->get_array()) {
    if (!s.is_object()) continue;
    json::array ports = slicePorts(s.get_object());
    std::string portKey = es::portMapKey(ports);
    std::size_t mirrored = 0;
    for (const auto& [field, ready] : {std::pair{"addresses", true}, std::pair{"notReadyAddresses", false}}) {
      const json::value* list = s.get_object().if_contains(field);
      if (!list || !list->is_array()) continue;
      for (const json::value& a : list->get_array()) {
        if (!a.is_object() || mirrored >= maxPerSubset) continue;
        ++mirrored;
        json::object ep = addressToEndpoint(a.get_object(), ready);
        std::string type = endpointutil::isIPv6(api::getString(a.get_object(), "ip")) ? "IPv6" : "IPv4";
        es::PortGroup& group = out[type][portKey];
        group.ports = ports;
        std::string key = es::endpointKey(ep);
        group.endpoints.push_back(es::DesiredEndpoint{std::move(key), std::move(ep)});
      }
    }
  }
  return out;
}

}  // namespace

EndpointSliceMirroringController::EndpointSliceMirroringController(client::RestClient& client,
                                                                   client::InformerFactory& informers,
                                                                   asio::any_io_executor executor,
                                                                   EndpointSliceMirroringOptions options)
    : client_(client),
      informers_(informers),
      services_(informers.forResource("", "v1", "services")),
      endpoints_(informers.forResource("", "v1", "endpoints")),
      slices_(informers.forResource("discovery.k8s.io", "v1", "endpointslices")),
      executor_(executor),
      options_(options),
      queue_(executor) {
  slices_.addIndexer(kSliceServiceIndex, endpointSliceServiceIndex());
  registerHandlers();
}

void EndpointSliceMirroringController::registerHandlers() {
  client::EventHandlers byKey;
  byKey.onAdd = [this](const ObjectPtr& o) { queue_.add(client::objectKey(*o)); };
  byKey.onUpdate = [this](const ObjectPtr&, const ObjectPtr& o) { queue_.add(client::objectKey(*o)); };
  byKey.onDelete = [this](const ObjectPtr& o) { queue_.add(client::objectKey(*o)); };
  services_.addHandlers(byKey);
  endpoints_.addHandlers(byKey);
  // Only others' changes to our slices resync (ours come back as events too).
  client::EventHandlers sliceHandlers;
  sliceHandlers.onAdd = [this](const ObjectPtr& s) {
    if (mirroredByUs(*s) && tracker_.shouldSync(serviceKeyOf(*s), *s)) queue_.addAfter(serviceKeyOf(*s), std::chrono::seconds(1));
  };
  sliceHandlers.onUpdate = [this](const ObjectPtr& o, const ObjectPtr& n) {
    if (mirroredByUs(*o) != mirroredByUs(*n) || (mirroredByUs(*n) && tracker_.shouldSync(serviceKeyOf(*n), *n))) {
      queue_.addAfter(serviceKeyOf(*n), std::chrono::seconds(1));
    }
  };
  sliceHandlers.onDelete = [this](const ObjectPtr& s) {
    if (mirroredByUs(*s) && tracker_.handleDeletion(serviceKeyOf(*s), std::string(api::metaName(*s)))) {
      queue_.addAfter(serviceKeyOf(*s), std::chrono::seconds(1));
    }
  };
  slices_.addHandlers(std::move(sliceHandlers));
}

asio::awaitable<void> EndpointSliceMirroringController::run() {
  if (!co_await waitForCaches(informers_, executor_, "endpointslicemirroring")) co_return;
  co_await runWorkers(queue_, options_.workers, [this](const std::string& key) { return sync(key); },
                      "endpointslicemirroring");
}

asio::awaitable<Result<void>> EndpointSliceMirroringController::sync(const std::string& key) {
  std::vector<ObjectPtr> slices;
  for (ObjectPtr& s : slices_.byIndex(kSliceServiceIndex, key)) {
    if (mirroredByUs(*s)) slices.push_back(std::move(s));
  }
  if (tracker_.stale(key, slices)) {
    queue_.addAfter(key, endpointutil::kStaleCacheRetry);  // our last writes are not cached yet
    co_return Result<void>{};
  }
  ObjectPtr service = services_.get(key);
  ObjectPtr endpoints = endpoints_.get(key);
  bool mirror = service && endpoints && !endpointutil::serviceSelector(*service) &&
                labelOf(*endpoints, kSkipMirrorLabel) != "true" &&
                labelOf(*endpoints, kEndpointsManagedBy) != "endpoint-controller";
  if (!service) tracker_.deleteService(key);
  es::SliceChanges all;
  std::map<std::string, es::PortGroups> desired;
  if (mirror) desired = desiredFromEndpoints(*endpoints, options_.maxEndpointsPerSubset);
  for (auto& [type, groups] : desired) {
    std::vector<es::SlicePtr> existing;
    for (const ObjectPtr& s : slices) {
      if (api::getString(*s, "addressType") == type) existing.push_back(s);
    }
    json::object source = labelSource(*service, *endpoints);
    es::SliceChanges changes = es::reconcileAddressType(source, type, std::move(groups), existing,
                                                        options_.maxEndpointsPerSubset, kMirroringName);
    for (auto& s : changes.toCreate) all.toCreate.push_back(std::move(s));
    for (auto& s : changes.toUpdate) all.toUpdate.push_back(std::move(s));
    for (auto& s : changes.toDelete) all.toDelete.push_back(std::move(s));
  }
  for (const ObjectPtr& s : slices) {  // nothing of this address type is mirrored any more
    if (!desired.contains(std::string(api::getString(*s, "addressType")))) all.toDelete.push_back(*s);
  }
  std::string ns = key.substr(0, key.find('/'));
  co_return co_await apply(ns, key, std::move(all));
}

asio::awaitable<Result<void>> EndpointSliceMirroringController::apply(const std::string& ns, const std::string& key,
                                                                      es::SliceChanges changes) {
  for (json::object& slice : changes.toCreate) {
    auto path = slicesPath(ns);
    auto created = co_await client_.create(path, slice);
    if (!created) co_return std::move(created).error();
    tracker_.update(key, *created);
  }
  for (json::object& slice : changes.toUpdate) {
    auto path = slicesPath(ns, std::string(api::metaName(slice)));
    auto updated = co_await client_.update(path, slice);
    if (!updated) co_return std::move(updated).error();
    tracker_.update(key, *updated);
  }
  for (const json::object& slice : changes.toDelete) {
    std::string name(api::metaName(slice));
    auto path = slicesPath(ns, name);
    const json::object noOptions;
    auto deleted = co_await client_.remove(path, noOptions);
    if (!deleted && deleted.error().reason != Reason::NotFound) co_return std::move(deleted).error();
    if (deleted) tracker_.expectDeletion(key, name);
  }
  co_return Result<void>{};
}

}  // namespace kcpp::controllers
