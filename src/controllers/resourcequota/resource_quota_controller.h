#pragma once
// ResourceQuotaController (upstream pkg/controller/resourcequota): keeps each
// ResourceQuota's status current: status.hard = spec.hard, and status.used
// computed from the objects in its namespace, read from shared informers.
//
// Like upstream, it syncs a quota when it is created or its spec.hard changes
// (on a queue of its own, as its usage is unknown until then), when objects it
// tracks go away or stop counting (a pod finishes, a service loses its node
// ports): the "replenishment" that gives back what the ResourceQuota admission
// plugin charged; and every quota each resync period (5 minutes). Writes carry
// the resourceVersion read, so a charge made meanwhile by admission is never
// overwritten: the sync is retried instead.
//
// Upstream monitors every quotable resource; kcpp watches a resource only once
// some quota counts it (an informer per resource costs a cache of all of its
// objects), found by discovery at start.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "client/discovery/discovery.h"
#include "client/informer/informer_factory.h"
#include "client/rest/rest_client.h"
#include "client/workqueue/work_queue.h"
#include "controllers/common/controller.h"
#include "quota/evaluator.h"

namespace kcpp::controllers {

namespace json = boost::json;

struct ResourceQuotaControllerOptions {
  int workers = 5;                                              // --concurrent-resource-quota-syncs
  std::chrono::milliseconds resyncPeriod = std::chrono::minutes(5);  // --resource-quota-sync-period
  // How long to wait before asking discovery again after it failed.
  std::chrono::milliseconds discoveryRetry = std::chrono::seconds(2);
};

class ResourceQuotaController : public Controller {
 public:
  ResourceQuotaController(client::RestClient& client, client::InformerFactory& informers,
                          boost::asio::any_io_executor executor,
                          ResourceQuotaControllerOptions options = {});

  boost::asio::awaitable<void> run() override;
  void stop() override;

  // One quota, "namespace/name": recompute and write its status if it changed.
  boost::asio::awaitable<Result<void>> sync(const std::string& key);

 private:
  // upstream's addQuota: quotas whose usage is unknown go to their own queue.
  void addQuota(const json::object& obj);
  // Queues the namespace's quotas that count `resource` (upstream's replenishQuota).
  void replenish(const client::ApiResource& resource, const std::string& ns);
  void enqueueAll();
  boost::asio::awaitable<void> discover();
  boost::asio::awaitable<void> resyncLoop();
  // The resources whose evaluators count some of `hard`, their informers
  // started on first need; false if one has not listed yet.
  bool monitorsFor(const quota::ResourceNames& hard, std::vector<const client::ApiResource*>& out);
  client::Informer& monitor(const client::ApiResource& resource);
  // Upstream's update filters: whether an update frees quota.
  bool updateFrees(const client::ApiResource& resource, const json::object& oldObj,
                   const json::object& newObj) const;
  Result<quota::ResourceList> calculateUsage(const quota::ResourceQuota& q);

  client::RestClient& client_;
  client::InformerFactory& informers_;
  client::Informer& quotas_;
  boost::asio::any_io_executor executor_;
  ResourceQuotaControllerOptions options_;
  mutable quota::EvaluatorRegistry evaluators_;
  client::WorkQueue queue_;
  client::WorkQueue missingUsageQueue_;
  // Namespaced resources that can be listed and watched and that quota counts.
  std::vector<client::ApiResource> quotable_;
  // "group/resource" → informer with our replenishment handlers.
  std::map<std::string, client::Informer*> monitors_;
  bool discovered_ = false;
  bool stopped_ = false;
  std::unique_ptr<boost::asio::steady_timer> timer_;
};

}  // namespace kcpp::controllers
