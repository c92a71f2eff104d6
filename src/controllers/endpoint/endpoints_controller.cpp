#include "controllers/endpoint/endpoints_controller.h"

#include <spdlog/spdlog.h>

#include "api/meta/object.h"
#include "controllers/endpoint/endpoint_subsets.h"
#include "controllers/endpointutil/pod_endpoints.h"

namespace kcpp::controllers {

namespace asio = boost::asio;
using client::ObjectPtr;
using endpointutil::stringAt;

namespace {

// The annotation client-go's leader election writes on Endpoints locks.
constexpr std::string_view kLeaderAnnotation = "control-plane.alpha.kubernetes.io/leader";

client::ResourcePath endpointsPath(const std::string& ns, const std::string& name) {
  return client::ResourcePath{"", "v1", "endpoints", ns, name, "", ""};
}

std::pair<std::string, std::string> splitKey(const std::string& key) {
  auto slash = key.find('/');
  if (slash == std::string::npos) return {"", key};
  return {key.substr(0, slash), key.substr(slash + 1)};
}

// The labels the Endpoints carry: the Service's, ours, and the headless mark.
json::object desiredLabels(const json::object& service) {
  json::object labels;
  if (const json::value* l = api::findPath(service, "metadata.labels"); l && l->is_object()) {
    labels = l->get_object();
  }
  labels[kEndpointsManagedByLabel] = kEndpointsControllerName;
  if (endpointutil::isServiceIPSet(service)) {
    labels.erase(endpointutil::kHeadlessLabel);
  } else {
    labels[endpointutil::kHeadlessLabel] = "";
  }
  return labels;
}

const json::value* field(const json::object& obj, std::string_view path) { return api::findPath(obj, path); }

bool sameSubsets(const json::object& current, const json::array& desired) {
  const json::value* subsets = current.if_contains("subsets");
  if (!subsets || subsets->is_null()) return desired.empty();
  return subsets->is_array() && subsets->get_array() == desired;
}

bool sameLabels(const json::object& current, const json::object& desired) {
  const json::value* labels = field(current, "metadata.labels");
  if (!labels || !labels->is_object()) return desired.empty();
  return labels->get_object() == desired;
}

bool hasAnnotation(const json::object& obj, std::string_view name) {
  const json::value* annotations = field(obj, "metadata.annotations");
  return annotations && annotations->is_object() && annotations->get_object().contains(name);
}

std::vector<ObjectPtr> selectedPods(const client::Informer& pods, const json::object& service,
                                    const selectors::Labels& selector) {
  std::vector<ObjectPtr> out;
  for (ObjectPtr& pod : pods.byIndex("namespace", std::string(api::metaNamespace(service)))) {
    if (endpointutil::selectorPicks(selector, *pod)) out.push_back(std::move(pod));
  }
  return out;
}

}  // namespace

EndpointsController::EndpointsController(client::RestClient& client, client::InformerFactory& informers,
                                         asio::any_io_executor executor, EndpointsControllerOptions options)
    : client_(client),
      informers_(informers),
      services_(informers.forResource("", "v1", "services")),
      pods_(informers.forResource("", "v1", "pods")),
      endpoints_(informers.forResource("", "v1", "endpoints")),
      executor_(executor),
      options_(options),
      queue_(executor),
      events_(client, executor, std::string(kEndpointsControllerName)),
      pacer_(options.batchPeriod) {
  registerHandlers();
}

void EndpointsController::enqueueServices(const std::set<std::string>& keys) {
  for (const std::string& key : keys) {
    auto delay = pacer_.delayFor(key);
    if (delay > std::chrono::steady_clock::duration::zero()) {
      queue_.addAfter(key, delay);
    } else {
      queue_.add(key);
    }
  }
}

void EndpointsController::registerHandlers() {
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

  // Someone deleted Endpoints we keep: write them again.
  client::EventHandlers endpointsHandlers;
  endpointsHandlers.onDelete = [this](const ObjectPtr& e) { queue_.add(client::objectKey(*e)); };
  endpoints_.addHandlers(std::move(endpointsHandlers));
}

void EndpointsController::checkLeftoverEndpoints() {
  for (const ObjectPtr& e : endpoints_.list()) {
    if (hasAnnotation(*e, kLeaderAnnotation)) continue;
    if (endpointutil::labelOf(*e, kEndpointsManagedByLabel) != kEndpointsControllerName) {
      continue;  // not ours: only Endpoints we wrote are cleaned up
    }
    std::string key = client::objectKey(*e);
    if (!services_.get(key)) queue_.add(key);
  }
}

asio::awaitable<void> EndpointsController::run() {
  if (!co_await waitForCaches(informers_, executor_, "endpoint")) co_return;
  checkLeftoverEndpoints();
  co_await runWorkers(queue_, options_.workers, [this](const std::string& key) { return sync(key); },
                      "endpoint");
}

asio::awaitable<Result<void>> EndpointsController::deleteEndpoints(const std::string& key) {
  auto [ns, name] = splitKey(key);
  triggerTimes_.forget(key);
  staleVersions_.erase(key);
  pacer_.forget(key);
  const json::object noOptions;
  auto path = endpointsPath(ns, name);
  auto deleted = co_await client_.remove(path, noOptions);
  if (!deleted && deleted.error().reason != Reason::NotFound) co_return std::move(deleted).error();
  co_return Result<void>{};
}

asio::awaitable<Result<void>> EndpointsController::sync(const std::string& key) {
  auto started = std::chrono::steady_clock::now();
  ObjectPtr service = services_.get(key);
  if (!service) co_return co_await deleteEndpoints(key);
  // ExternalName Services get no endpoints (issue 105986); selectorless ones
  // get the endpoints someone else writes.
  if (stringAt(*service, "spec.type") == "ExternalName") co_return Result<void>{};
  auto selector = endpointutil::serviceSelector(*service);
  if (!selector) co_return Result<void>{};

  // Checked before the (costly) computation: our last write is not in the
  // cache yet, so look again shortly. Not an error: a rate-limited retry
  // would back off further at every write.
  ObjectPtr current = endpoints_.get(key);
  if (auto stale = staleVersions_.find(key); stale != staleVersions_.end()) {
    if (current && stale->second == api::metaResourceVersion(*current)) {
      spdlog::debug("endpoint: cache of {} older than our last write, retrying", key);
      queue_.addAfter(key, endpointutil::kStaleCacheRetry);
      co_return Result<void>{};
    }
    staleVersions_.erase(stale);
  }

  std::vector<ObjectPtr> pods = selectedPods(pods_, *service, *selector);
  // Computed before the comparison so that the tracker moves on even when
  // nothing is written.
  auto triggerTime = triggerTimes_.compute(key, *service, pods);
  std::vector<endpoint::EndpointSubset> subsets = endpoint::desiredSubsets(*service, pods);
  bool truncated = endpoint::truncateSubsets(subsets);
  json::array subsetsJson = endpoint::subsetsToJson(subsets);
  json::object labels = desiredLabels(*service);
  pacer_.record(key, std::chrono::steady_clock::now() - started);

  if (current) {
    if (sameSubsets(*current, subsetsJson) && sameLabels(*current, labels) &&
        hasAnnotation(*current, kOverCapacityAnnotation) == truncated) {
      co_return Result<void>{};
    }
  }
  json::object next;
  if (current) {
    next = *current;
  } else {
    next = json::object{{"apiVersion", "v1"}, {"kind", "Endpoints"}};
    next["metadata"] = json::object{{"name", api::metaName(*service)},
                                    {"namespace", api::metaNamespace(*service)}};
  }
  json::object& meta = api::ensureObject(next, "metadata");
  meta["labels"] = std::move(labels);
  json::object& annotations = api::ensureObject(meta, "annotations");
  if (triggerTime) {
    annotations[endpointutil::kTriggerTimeAnnotation] = api::formatTime(*triggerTime);
  } else {
    annotations.erase(endpointutil::kTriggerTimeAnnotation);
  }
  if (truncated) {
    annotations[kOverCapacityAnnotation] = "truncated";
  } else {
    annotations.erase(kOverCapacityAnnotation);
  }
  if (annotations.empty()) meta.erase("annotations");
  if (subsetsJson.empty()) {
    next.erase("subsets");
  } else {
    next["subsets"] = std::move(subsetsJson);
  }
  spdlog::debug("endpoint sync {}: {} pods, {} after {} us", key, pods.size(), current ? "update" : "create",
                std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count());
  co_return co_await write(*service, std::move(next), !current);
}

asio::awaitable<Result<void>> EndpointsController::write(const json::object& service, json::object endpoints,
                                                         bool create) {
  std::string ns(api::metaNamespace(service));
  std::string name(api::metaName(service));
  std::string key = ns + "/" + name;
  std::string previousVersion(api::metaResourceVersion(endpoints));
  Result<json::object> written = makeError(Reason::InternalError, "not written");
  if (create) {
    auto path = endpointsPath(ns, "");
    written = co_await client_.create(path, endpoints);
  } else {
    auto path = endpointsPath(ns, name);
    written = co_await client_.update(path, endpoints);
  }
  if (written) {
    if (!create && api::metaResourceVersion(*written) != previousVersion) {
      staleVersions_[key] = previousVersion;
    }
    co_return Result<void>{};
  }
  const Error& error = written.error();
  // A terminating namespace refuses creates until it is gone: nothing to retry.
  if (create && error.reason == Reason::Forbidden &&
      error.message.find("because it is being terminated") != std::string::npos) {
    co_return Result<void>{};
  }
  if (create) {
    events_.record(endpoints, "Warning", "FailedToCreateEndpoint",
                   "Failed to create endpoint for service " + key + ": " + error.message);
  } else {
    events_.record(endpoints, "Warning", "FailedToUpdateEndpoint",
                   "Failed to update endpoint " + key + ": " + error.message);
  }
  co_return std::move(written).error();
}

}  // namespace kcpp::controllers
