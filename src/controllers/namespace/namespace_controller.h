#pragma once
// The namespace controller (upstream's pkg/controller/namespace): every
// namespace with a deletionTimestamp is emptied and finalized by the
// NamespacedResourcesDeleter. A pass that leaves content (graceful pods,
// finalizers) comes back after half its estimate plus a second, as upstream;
// other failures retry with the queue's backoff. Every namespace is looked at
// again each `resyncPeriod` (upstream's --namespace-sync-period).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>

#include "client/informer/informer_factory.h"
#include "client/rest/rest_client.h"
#include "client/workqueue/work_queue.h"
#include "controllers/common/controller.h"
#include "controllers/namespace/namespaced_resources_deleter.h"

namespace kcpp::controllers {

struct NamespaceControllerOptions {
  int workers = 10;                               // upstream's --concurrent-namespace-syncs
  std::chrono::milliseconds resyncPeriod{300000};  // upstream's --namespace-sync-period (5m)
  // Caps the wait after a pass that left content (tests shorten it).
  std::chrono::milliseconds maxRequeueDelay{std::chrono::hours(1)};
};

class NamespaceController : public Controller {
 public:
  NamespaceController(client::RestClient& client, client::InformerFactory& informers,
                      boost::asio::any_io_executor executor, NamespaceControllerOptions options = {});

  boost::asio::awaitable<void> run() override;
  void stop() override;

 private:
  void enqueue(const json::object& ns);
  boost::asio::awaitable<Result<void>> sync(const std::string& name);
  boost::asio::awaitable<void> resyncLoop();

  client::InformerFactory& informers_;
  client::Informer& namespaces_;
  boost::asio::any_io_executor executor_;
  NamespaceControllerOptions options_;
  client::WorkQueue queue_;
  NamespacedResourcesDeleter deleter_;
  std::unique_ptr<boost::asio::steady_timer> resyncTimer_;
};

}  // namespace kcpp::controllers
