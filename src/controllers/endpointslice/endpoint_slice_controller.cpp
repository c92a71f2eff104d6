#include "controllers/endpointslice/endpoint_slice_controller.h"

#include <spdlog/spdlog.h>

#include "api/meta/object.h"
#include "controllers/endpointslice/desired_endpoints.h"
#include "controllers/endpointutil/pod_endpoints.h"

namespace kcpp::controllers {

namespace asio = boost::asio;
using client::ObjectPtr;
using endpointutil::stringAt;
namespace es = endpointslice;

namespace {

// Upstream's endpointSliceChangeMinSyncDelay: slice events resync the
// Service no sooner than this, so that a burst of them costs one sync.
constexpr std::chrono::seconds kSliceChangeMinSyncDelay{1};

std::string serviceNameOf(const json::object& slice) {
  return endpointutil::labelOf(slice, endpointutil::kServiceNameLabel);
}

bool managedByUs(const json::object& slice) {
  return endpointutil::labelOf(slice, es::kManagedByLabel) == es::kControllerName;
}

std::string serviceKeyOf(const json::object& slice) {
  return std::string(api::metaNamespace(slice)) + "/" + serviceNameOf(slice);
}

client::ResourcePath slicesPath(const std::string& ns, const std::string& name = "") {
  return client::ResourcePath{"discovery.k8s.io", "v1", "endpointslices", ns, name, "", ""};
}

bool namespaceTerminating(const Error& e) {
  return e.reason == Reason::Forbidden && e.message.find("because it is being terminated") != std::string::npos;
}

}  // namespace

client::IndexFunc endpointSliceServiceIndex() {
  return [](const json::object& slice) -> std::vector<std::string> {
    std::string name = serviceNameOf(slice);
    if (name.empty()) return {};
    return {serviceKeyOf(slice)};
  };
}

EndpointSliceController::EndpointSliceController(client::RestClient& client, client::InformerFactory& informers,
                                                 asio::any_io_executor executor,
                                                 EndpointSliceControllerOptions options)
    : client_(client),
      informers_(informers),
      services_(informers.forResource("", "v1", "services")),
      pods_(informers.forResource("", "v1", "pods")),
      slices_(informers.forResource("discovery.k8s.io", "v1", "endpointslices")),
      nodes_(informers.forResource("", "v1", "nodes")),
      executor_(executor),
      options_(options),
      queue_(executor),
      events_(client, executor, "endpoint-slice-controller"),
      pacer_(options.batchPeriod) {
  slices_.addIndexer(kSliceServiceIndex, endpointSliceServiceIndex());
  registerHandlers();
}

void EndpointSliceController::enqueueServices(const std::set<std::string>& keys) {
  for (const std::string& key : keys) {
    auto delay = pacer_.delayFor(key);
    if (delay > std::chrono::steady_clock::duration::zero()) {
      queue_.addAfter(key, delay);
    } else {
      queue_.add(key);
    }
  }
}

void EndpointSliceController::enqueueForSlice(const json::object& slice) {
  if (serviceNameOf(slice).empty()) return;
  queue_.addAfter(serviceKeyOf(slice), std::max<std::chrono::milliseconds>(kSliceChangeMinSyncDelay,
                                                                            options_.batchPeriod));
}

void EndpointSliceController::registerHandlers() {
  client::EventHandlers serviceHandlers;
  serviceHandlers.onAdd = [this](const ObjectPtr& s) { queue_.add(client::objectKey(*s)); };
  serviceHandlers.onUpdate = [this](const ObjectPtr&, const ObjectPtr& s) { queue_.add(client::objectKey(*s)); };
  serviceHandlers.onDelete = [this](const ObjectPtr& s) { queue_.add(client::objectKey(*s)); };
  services_.addHandlers(std::move(serviceHandlers));

  client::EventHandlers podHandlers;
  podHandlers.onAdd = [this](const ObjectPtr& p) {
    enqueueServices(endpointutil::podServiceMemberships(services_, *p));
  };
  podHandlers.onUpdate = [this](const ObjectPtr& o, const ObjectPtr& n) {
    enqueueServices(endpointutil::servicesToUpdateOnPodChange(services_, *o, *n));
  };
  podHandlers.onDelete = [this](const ObjectPtr& p) {
    enqueueServices(endpointutil::podServiceMemberships(services_, *p));
  };
  pods_.addHandlers(std::move(podHandlers));

  // Our own writes come back as events too: only others' changes resync.
  client::EventHandlers sliceHandlers;
  sliceHandlers.onAdd = [this](const ObjectPtr& s) {
    if (managedByUs(*s) && tracker_.shouldSync(serviceKeyOf(*s), *s)) enqueueForSlice(*s);
  };
  sliceHandlers.onUpdate = [this](const ObjectPtr& o, const ObjectPtr& n) {
    if (managedByUs(*o) != managedByUs(*n) || (managedByUs(*n) && tracker_.shouldSync(serviceKeyOf(*n), *n))) {
      enqueueForSlice(*n);
    }
  };
  sliceHandlers.onDelete = [this](const ObjectPtr& s) {
    if (managedByUs(*s) && tracker_.handleDeletion(serviceKeyOf(*s), std::string(api::metaName(*s)))) {
      enqueueForSlice(*s);
    }
  };
  slices_.addHandlers(std::move(sliceHandlers));
}

asio::awaitable<void> EndpointSliceController::run() {
  if (!co_await waitForCaches(informers_, executor_, "endpointslice")) co_return;
  co_await runWorkers(queue_, options_.workers, [this](const std::string& key) { return sync(key); },
                      "endpointslice");
}

asio::awaitable<Result<void>> EndpointSliceController::sync(const std::string& key) {
  auto started = std::chrono::steady_clock::now();
  ObjectPtr service = services_.get(key);
  if (!service) {
    // The garbage collector deletes the slices it owned.
    triggerTimes_.forget(key);
    tracker_.deleteService(key);
    pacer_.forget(key);
    co_return Result<void>{};
  }
  if (stringAt(*service, "spec.type") == "ExternalName") co_return Result<void>{};
  auto selector = endpointutil::serviceSelector(*service);
  if (!selector) co_return Result<void>{};  // the mirroring controller's business

  std::vector<ObjectPtr> slices;
  for (ObjectPtr& s : slices_.byIndex(kSliceServiceIndex, key)) {
    if (managedByUs(*s)) slices.push_back(std::move(s));
  }
  if (tracker_.stale(key, slices)) {
    // Our last writes are not all in the cache yet: look again shortly (a
    // rate-limited retry would back off further at every write).
    spdlog::debug("endpointslice: cache of {} older than our last writes, retrying", key);
    queue_.addAfter(key, endpointutil::kStaleCacheRetry);
    co_return Result<void>{};
  }
  std::vector<ObjectPtr> pods;
  for (ObjectPtr& pod : pods_.byIndex("namespace", std::string(api::metaNamespace(*service)))) {
    if (endpointutil::selectorPicks(*selector, *pod)) pods.push_back(std::move(pod));
  }
  auto triggerTime = triggerTimes_.compute(key, *service, pods);
  std::optional<std::string> triggerText;
  if (triggerTime) triggerText = api::formatTime(*triggerTime);

  es::NodeLookup nodes = [this](const std::string& name) { return nodes_.get(name); };
  es::SliceChanges all;
  std::set<std::string> types = es::addressTypesFor(*service);
  std::size_t podsWithoutNode = 0;
  for (const std::string& type : types) {
    es::DesiredState desired = es::desiredEndpoints(*service, pods, type, nodes);
    podsWithoutNode += desired.podsWithoutNode.size();
    std::vector<es::SlicePtr> existing;
    for (const ObjectPtr& s : slices) {
      if (api::getString(*s, "addressType") == type) existing.push_back(s);
    }
    es::SliceChanges changes = es::reconcileAddressType(*service, type, std::move(desired.groups), existing,
                                                        options_.maxEndpointsPerSlice, es::kControllerName);
    for (auto& s : changes.toCreate) all.toCreate.push_back(std::move(s));
    for (auto& s : changes.toUpdate) all.toUpdate.push_back(std::move(s));
    for (auto& s : changes.toDelete) all.toDelete.push_back(std::move(s));
  }
  for (const ObjectPtr& s : slices) {  // an address type the Service no longer has
    if (!types.contains(std::string(api::getString(*s, "addressType")))) all.toDelete.push_back(*s);
  }
  pacer_.record(key, std::chrono::steady_clock::now() - started);
  spdlog::debug("endpointslice sync {}: {} pods, {} creates, {} updates, {} deletes after {} us", key, pods.size(),
                all.toCreate.size(), all.toUpdate.size(), all.toDelete.size(),
                std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count());
  auto applied = co_await apply(*service, std::move(all), triggerText);
  if (!applied) {
    events_.record(*service, "Warning", "FailedToUpdateEndpointSlices",
                   "Error updating Endpoint Slices for Service " + key + ": " + applied.error().message);
    co_return applied;
  }
  if (podsWithoutNode > 0) {
    co_return makeError(Reason::NotFound, std::to_string(podsWithoutNode) + " pods of Service " + key +
                                              " skipped: their Node was not found");
  }
  co_return Result<void>{};
}

asio::awaitable<Result<void>> EndpointSliceController::apply(const json::object& service,
                                                             es::SliceChanges changes,
                                                             const std::optional<std::string>& triggerTime) {
  std::string ns(api::metaNamespace(service));
  std::string key = ns + "/" + std::string(api::metaName(service));
  auto annotate = [&triggerTime](json::object& slice) {
    json::object& meta = api::ensureObject(slice, "metadata");
    json::object& annotations = api::ensureObject(meta, "annotations");
    if (triggerTime) {
      annotations[endpointutil::kTriggerTimeAnnotation] = *triggerTime;
    } else {
      annotations.erase(endpointutil::kTriggerTimeAnnotation);
    }
    if (annotations.empty()) meta.erase("annotations");
  };
  // No new slices for a Service being deleted: the garbage collector would race them.
  bool serviceDeleting = api::findPath(service, "metadata.deletionTimestamp") != nullptr;
  for (json::object& slice : changes.toCreate) {
    if (serviceDeleting) break;
    annotate(slice);
    auto path = slicesPath(ns);
    auto created = co_await client_.create(path, slice);
    if (!created) {
      if (namespaceTerminating(created.error())) co_return Result<void>{};
      co_return makeError(created.error().reason,
                          "failed to create EndpointSlice for Service " + key + ": " + created.error().message);
    }
    tracker_.update(key, *created);
  }
  for (json::object& slice : changes.toUpdate) {
    annotate(slice);
    std::string name(api::metaName(slice));
    auto path = slicesPath(ns, name);
    auto updated = co_await client_.update(path, slice);
    if (!updated) {
      co_return makeError(updated.error().reason, "failed to update " + name + " EndpointSlice for Service " +
                                                      key + ": " + updated.error().message);
    }
    tracker_.update(key, *updated);
  }
  for (const json::object& slice : changes.toDelete) {
    std::string name(api::metaName(slice));
    auto path = slicesPath(ns, name);
    const json::object noOptions;
    auto deleted = co_await client_.remove(path, noOptions);
    if (!deleted && deleted.error().reason != Reason::NotFound) {
      co_return makeError(deleted.error().reason, "failed to delete " + name + " EndpointSlice for Service " +
                                                      key + ": " + deleted.error().message);
    }
    if (deleted) tracker_.expectDeletion(key, name);
  }
  co_return Result<void>{};
}

}  // namespace kcpp::controllers
