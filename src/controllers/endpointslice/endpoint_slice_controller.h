#pragma once
// The EndpointSlice controller (upstream pkg/controller/endpointslice): for
// every Service with a selector, discovery.k8s.io/v1 EndpointSlices (per
// address type, per resolved port list, at most maxEndpointsPerSlice
// endpoints each) listing the selected pods with their ready / serving /
// terminating conditions, node, zone, hostname and pod reference; labelled
// kubernetes.io/service-name and endpointslice.kubernetes.io/managed-by, owned
// by the Service (the garbage collector removes them with it). Reconciliation
// churns as few slices as possible (slice_reconciler.h).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <string>

#include "client/informer/informer_factory.h"
#include "client/rest/rest_client.h"
#include "client/workqueue/work_queue.h"
#include "controllers/common/controller.h"
#include "controllers/common/event_recorder.h"
#include "controllers/endpointslice/endpoint_slice_tracker.h"
#include "controllers/endpointslice/slice_reconciler.h"
#include "controllers/endpointutil/sync_pacer.h"
#include "controllers/endpointutil/trigger_time_tracker.h"

namespace kcpp::controllers {

namespace json = boost::json;

struct EndpointSliceControllerOptions {
  int workers = 5;                          // upstream's --concurrent-service-endpoint-syncs
  std::size_t maxEndpointsPerSlice = 100;   // upstream's --max-endpoints-per-slice
  std::chrono::milliseconds batchPeriod{0}; // upstream's --endpointslice-updates-batch-period
};

class EndpointSliceController : public Controller {
 public:
  EndpointSliceController(client::RestClient& client, client::InformerFactory& informers,
                          boost::asio::any_io_executor executor, EndpointSliceControllerOptions options = {});

  boost::asio::awaitable<void> run() override;
  void stop() override { queue_.shutDown(); }

 private:
  void registerHandlers();
  void enqueueServices(const std::set<std::string>& keys);
  void enqueueForSlice(const json::object& slice);

  boost::asio::awaitable<Result<void>> sync(const std::string& key);
  boost::asio::awaitable<Result<void>> apply(const json::object& service, endpointslice::SliceChanges changes,
                                             const std::optional<std::string>& triggerTime);

  client::RestClient& client_;
  client::InformerFactory& informers_;
  client::Informer& services_;
  client::Informer& pods_;
  client::Informer& slices_;
  client::Informer& nodes_;
  boost::asio::any_io_executor executor_;
  EndpointSliceControllerOptions options_;
  client::WorkQueue queue_;
  EventRecorder events_;
  endpointutil::TriggerTimeTracker triggerTimes_;
  endpointutil::SyncPacer pacer_;
  endpointslice::EndpointSliceTracker tracker_;
};

// Indexes EndpointSlices by "<namespace>/<kubernetes.io/service-name>".
client::IndexFunc endpointSliceServiceIndex();
inline constexpr const char* kSliceServiceIndex = "endpointslice-service";

}  // namespace kcpp::controllers
