#pragma once
// The EndpointSlice mirroring controller (upstream pkg/controller/
// endpointslicemirroring): for Services without a selector, whose Endpoints
// are written by someone else (a user, the API server for `kubernetes`), the
// same addresses as EndpointSlices managed by
// endpointslicemirroring-controller.k8s.io: one group of slices per address
// type and port list of each subset, ready addresses with ready: true, not-ready
// ones with ready: false, at most --mirroring-max-endpoints-per-subset
// addresses per subset; labels the Endpoints' own plus service-name and
// managed-by; owned by the Service. Endpoints labelled
// endpointslice.kubernetes.io/skip-mirror=true, or written by the Endpoints
// controller, are not mirrored; slices of what is no longer mirrored are
// deleted. Slices are planned by the same reconciler as the EndpointSlice
// controller's (no placeholder slices are kept).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <string>

#include "client/informer/informer_factory.h"
#include "client/rest/rest_client.h"
#include "client/workqueue/work_queue.h"
#include "controllers/common/controller.h"
#include "controllers/endpointslice/endpoint_slice_tracker.h"
#include "controllers/endpointslice/slice_reconciler.h"

namespace kcpp::controllers {

namespace json = boost::json;

struct EndpointSliceMirroringOptions {
  int workers = 5;                           // upstream's --mirroring-concurrent-service-endpoint-syncs
  std::size_t maxEndpointsPerSubset = 1000;  // upstream's --mirroring-max-endpoints-per-subset
};

class EndpointSliceMirroringController : public Controller {
 public:
  EndpointSliceMirroringController(client::RestClient& client, client::InformerFactory& informers,
                                   boost::asio::any_io_executor executor,
                                   EndpointSliceMirroringOptions options = {});

  boost::asio::awaitable<void> run() override;
  void stop() override { queue_.shutDown(); }

 private:
  void registerHandlers();
  boost::asio::awaitable<Result<void>> sync(const std::string& key);
  boost::asio::awaitable<Result<void>> apply(const std::string& ns, const std::string& key,
                                             endpointslice::SliceChanges changes);

  client::RestClient& client_;
  client::InformerFactory& informers_;
  client::Informer& services_;
  client::Informer& endpoints_;
  client::Informer& slices_;
  boost::asio::any_io_executor executor_;
  EndpointSliceMirroringOptions options_;
  client::WorkQueue queue_;
  endpointslice::EndpointSliceTracker tracker_;
};

}  // namespace kcpp::controllers
