#pragma once
// The garbage collector (upstream's pkg/controller/garbagecollector): follows
// every served resource that can be listed, watched and deleted (found by
// discovery, again every `discoveryPeriod` so new resources join), builds the
// ownerReferences graph from metadata only, and
//  - deletes objects whose owners are all gone (background propagation),
//  - for an owner deleted with the foregroundDeletion finalizer, deletes its
//    dependents first and removes the finalizer once no blocking one is left,
//  - for an owner deleted with the orphan finalizer, removes the reference to it
//    from every dependent, then the finalizer.
// Two work queues as upstream: attemptToDelete (object uids) and attemptToOrphan
// (owner uids). Every decision is checked against the server with a live GET.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "client/discovery/discovery.h"
#include "client/informer/informer.h"
#include "client/rest/rest_client.h"
#include "client/workqueue/work_queue.h"
#include "controllers/common/controller.h"
#include "controllers/garbagecollector/graph.h"

namespace kcpp::controllers {

namespace json = boost::json;

struct GarbageCollectorOptions {
  int workers = 20;  // upstream's --concurrent-gc-syncs
  std::chrono::milliseconds discoveryPeriod{30000};
  // "group/resource" never followed (upstream's default ignored resources).
  std::set<std::string> ignoredResources{"/events", "events.k8s.io/events"};
};

class GarbageCollector : public Controller {
 public:
  GarbageCollector(client::RestClient& client, boost::asio::any_io_executor executor,
                   GarbageCollectorOptions options = {});
  ~GarbageCollector() override;

  boost::asio::awaitable<void> run() override;
  void stop() override;

  // For tests and metrics.
  const gc::DependencyGraph& graph() const { return graph_; }
  std::size_t monitorCount() const { return monitors_.size(); }
  bool monitorsSynced() const;

 private:
  // Discovery and the informers that feed the graph.
  boost::asio::awaitable<Result<void>> resync();
  void startMonitor(const client::ApiResource& resource);
  boost::asio::awaitable<void> discoveryLoop();

  // Workers (garbage_collector_sync.cpp).
  boost::asio::awaitable<Result<void>> attemptToDelete(const std::string& uid);
  boost::asio::awaitable<Result<void>> attemptToDeleteItem(const gc::Node& item);
  boost::asio::awaitable<Result<void>> processDeletingDependents(const gc::Node& item);
  boost::asio::awaitable<Result<void>> attemptToOrphan(const std::string& uid);

  // Server calls on an object named by identity.
  Result<client::ResourcePath> pathOf(const gc::ObjectIdentity& identity) const;
  boost::asio::awaitable<Result<json::object>> getObject(const gc::ObjectIdentity& identity);
  boost::asio::awaitable<Result<void>> deleteObject(const gc::ObjectIdentity& identity,
                                                    const std::string& policy);
  boost::asio::awaitable<Result<void>> patchOwnerReferences(const gc::ObjectIdentity& identity,
                                                            const json::object& latest,
                                                            json::array owners);
  boost::asio::awaitable<Result<void>> removeFinalizer(const gc::ObjectIdentity& identity,
                                                       const std::string& finalizer);

  // Owner references split as upstream's classifyReferences.
  struct Classified {
    std::vector<gc::OwnerReference> solid, dangling, waitingForDependentsDeletion;
  };
  boost::asio::awaitable<Result<Classified>> classifyReferences(
      const gc::ObjectIdentity& item, const std::vector<gc::OwnerReference>& refs);
  // Whether the owner `ref` of `item` is absent; sets `owner` if found.
  boost::asio::awaitable<Result<bool>> isDangling(const gc::OwnerReference& ref,
                                                  const gc::ObjectIdentity& item,
                                                  std::optional<json::object>& owner);

  client::RestClient& client_;
  boost::asio::any_io_executor executor_;
  GarbageCollectorOptions options_;
  client::WorkQueue attemptToDelete_;
  client::WorkQueue attemptToOrphan_;
  gc::DependencyGraph graph_;
  client::ResourceMapper mapper_;
  // "group/version/resource" → informer; removed resources' informers are
  // stopped and kept (their run() may still be winding down).
  std::map<std::string, std::unique_ptr<client::Informer>> monitors_;
  std::vector<std::unique_ptr<client::Informer>> stoppedMonitors_;
  std::unique_ptr<boost::asio::steady_timer> discoveryTimer_;
  bool stopped_ = false;
};

}  // namespace kcpp::controllers
