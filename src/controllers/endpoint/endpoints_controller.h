#pragma once
// The Endpoints controller (upstream pkg/controller/endpoint): for every
// Service with a selector, an Endpoints object of the same name listing the
// selected pods (endpoint_subsets.h), its labels the Service's plus
// endpoints.kubernetes.io/managed-by and service.kubernetes.io/headless, and
// the last-change-trigger-time and over-capacity annotations. Services without
// a selector (and ExternalName ones) are left alone: their Endpoints belong to
// whoever wrote them. A deleted Service's Endpoints are deleted. Nothing is
// written when the computed object equals the cached one.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <map>
#include <string>

#include "client/informer/informer_factory.h"
#include "client/rest/rest_client.h"
#include "client/workqueue/work_queue.h"
#include "controllers/common/controller.h"
#include "controllers/common/event_recorder.h"
#include "controllers/endpointutil/sync_pacer.h"
#include "controllers/endpointutil/trigger_time_tracker.h"

namespace kcpp::controllers {

namespace json = boost::json;

inline constexpr std::string_view kEndpointsManagedByLabel = "endpoints.kubernetes.io/managed-by";
inline constexpr std::string_view kEndpointsControllerName = "endpoint-controller";
inline constexpr std::string_view kOverCapacityAnnotation = "endpoints.kubernetes.io/over-capacity";

struct EndpointsControllerOptions {
  int workers = 5;  // upstream's --concurrent-endpoint-syncs
  // upstream's --endpoint-updates-batch-period: pod changes wait this long so
  // that several are written in one update.
  std::chrono::milliseconds batchPeriod{0};
};

class EndpointsController : public Controller {
 public:
  EndpointsController(client::RestClient& client, client::InformerFactory& informers,
                      boost::asio::any_io_executor executor, EndpointsControllerOptions options = {});

  boost::asio::awaitable<void> run() override;
  void stop() override { queue_.shutDown(); }

 private:
  void registerHandlers();
  void enqueueServices(const std::set<std::string>& keys);
  // Endpoints left behind by a Service deleted while we were not running.
  void checkLeftoverEndpoints();

  boost::asio::awaitable<Result<void>> sync(const std::string& key);
  boost::asio::awaitable<Result<void>> deleteEndpoints(const std::string& key);
  boost::asio::awaitable<Result<void>> write(const json::object& service, json::object endpoints,
                                             bool create);

  client::RestClient& client_;
  client::InformerFactory& informers_;
  client::Informer& services_;
  client::Informer& pods_;
  client::Informer& endpoints_;
  boost::asio::any_io_executor executor_;
  EndpointsControllerOptions options_;
  client::WorkQueue queue_;
  EventRecorder events_;
  endpointutil::TriggerTimeTracker triggerTimes_;
  endpointutil::SyncPacer pacer_;
  // Endpoints key → the resourceVersion our last update replaced: while the
  // cache still shows it, the cache is stale (upstream's staleEndpointsTracker).
  std::map<std::string, std::string> staleVersions_;
};

}  // namespace kcpp::controllers
