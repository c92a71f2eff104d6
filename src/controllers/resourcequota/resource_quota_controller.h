#pragma once
// ResourceQuotaController (upstream pkg/controller/resourcequota): keeps each
// ResourceQuota's status current: status.hard = spec.hard, and status.used
// computed from the objects in its namespace.
//
// Like upstream, it syncs a quota when it is created or its spec.hard changes
// (first, as its usage is unknown until then), when objects it tracks go away
// or stop counting (a pod finishes, a service loses its node ports): the
// "replenishment" that gives back what the ResourceQuota admission plugin
// charged; and every quota on a full resync (5 minutes). Writes carry the
// resourceVersion read, so a charge made meanwhile by admission is never
// overwritten: the sync is retried instead.
//
// It runs inside the API server until the controller-manager exists, against
// the registries' watch caches. It uses them only through list, get, watch and
// a status update, what a client library will give it when it moves there.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "apiserver/registry/registry.h"
#include "client/workqueue/work_queue.h"
#include "quota/evaluator.h"

namespace kcpp::controllers {

struct ResourceQuotaControllerOptions {
  std::chrono::milliseconds fullResync = std::chrono::minutes(5);
  int workers = 5;  // upstream's --concurrent-resource-quota-syncs
  // How often the loops look at the stop flag.
  std::chrono::milliseconds stopCheck = std::chrono::seconds(1);
};

class ResourceQuotaController {
 public:
  // `tracked`: the namespaced resources whose usage quotas may count.
  ResourceQuotaController(apiserver::Registry& quotas, std::vector<apiserver::Registry*> tracked,
                          ResourceQuotaControllerOptions options = {});
  ~ResourceQuotaController();
  // Starts watching and syncing; returns once `stop` is set and the workers ended.
  boost::asio::awaitable<void> run(const std::atomic<bool>& stop);

  // One quota, "namespace/name": recompute and write its status if it changed.
  boost::asio::awaitable<Result<void>> sync(const std::string& key);

 private:
  using Registry = apiserver::Registry;
  struct QuotaSeen {
    quota::ResourceList specHard;
    quota::ResourceNames statusHard;
  };
  struct TrackedState;

  boost::asio::awaitable<void> watchQuotas(const std::atomic<bool>& stop);
  boost::asio::awaitable<void> watchTracked(Registry& registry, const std::atomic<bool>& stop);
  boost::asio::awaitable<void> worker(client::WorkQueue& queue);
  boost::asio::awaitable<void> resyncLoop(const std::atomic<bool>& stop);

  void quotaChanged(const storage::WatchEvent& event);
  void trackedChanged(Registry& registry, TrackedState& state, const storage::WatchEvent& event);
  // upstream's addQuota: quotas whose usage is unknown go first.
  void addQuota(const std::string& key, const quota::ResourceQuota& q);
  // Queues the namespace's quotas that track the resource.
  void replenish(const Registry& registry, const std::string& ns);
  void enqueueAll();

  boost::asio::awaitable<Result<quota::ResourceList>> calculateUsage(const quota::ResourceQuota& q);

  Registry& quotas_;
  std::vector<Registry*> tracked_;
  ResourceQuotaControllerOptions options_;
  quota::EvaluatorRegistry evaluators_;
  std::unique_ptr<boost::asio::strand<boost::asio::any_io_executor>> strand_;
  std::unique_ptr<client::WorkQueue> queue_;
  std::unique_ptr<client::WorkQueue> missingUsageQueue_;
  // What the quota watch last showed, by namespace then name (on the strand).
  std::map<std::string, std::map<std::string, QuotaSeen>> seen_;
  int running_ = 0;  // coroutines started by run() still going
};

}  // namespace kcpp::controllers
