#pragma once
// The DaemonSet controller (upstream pkg/controller/daemon): one pod per
// eligible node (node_eligibility.h). The controller picks the node itself and
// pins the pod to it through required node affinity (a matchFields
// metadata.name term, as upstream since 1.12); the scheduler then binds it.
// It follows nodes coming, going and changing, deletes pods from nodes that no
// longer qualify (and surplus or failed ones), rolls template changes out with
// RollingUpdate (maxUnavailable, or maxSurge) or OnDelete, keeps the template
// history as ControllerRevisions (controller-revision-hash and
// pod-template-generation pod labels, so `kubectl rollout status|history|undo`
// work), and reports status.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "client/informer/informer_factory.h"
#include "client/rest/rest_client.h"
#include "client/workqueue/work_queue.h"
#include "controllers/common/controller.h"
#include "controllers/common/controller_utils.h"
#include "controllers/common/event_recorder.h"
#include "controllers/common/expectations.h"

namespace kcpp::controllers::daemon {

namespace json = boost::json;
using client::ObjectPtr;
// Daemon pods by the node they are on or pinned to.
using NodePods = std::map<std::string, std::vector<PodPtr>>;

struct DaemonSetControllerOptions {
  int workers = 2;           // upstream's --concurrent-daemonset-syncs
  int burstReplicas = 250;   // upstream's BurstReplicas: creates/deletes per sync
};

class DaemonSetController : public Controller {
 public:
  DaemonSetController(client::RestClient& client, client::InformerFactory& informers,
                      boost::asio::any_io_executor executor, DaemonSetControllerOptions options = {});

  boost::asio::awaitable<void> run() override;
  void stop() override { queue_.shutDown(); }

 private:
  struct History {
    json::object current;
    std::vector<ObjectPtr> old;
  };

  void registerHandlers();
  void enqueue(const json::object& ds);
  void enqueueAll();
  ObjectPtr ownerOf(const json::object& pod) const;
  // Orphans: enqueue the DaemonSets whose selector matches (they may adopt it).
  void enqueueSelecting(const json::object& pod);
  void onPodAdded(const ObjectPtr& pod);
  void onPodUpdated(const ObjectPtr& oldPod, const ObjectPtr& newPod);
  void onPodDeleted(const ObjectPtr& pod);
  void onNodeUpdated(const ObjectPtr& oldNode, const ObjectPtr& newNode);

  boost::asio::awaitable<Result<void>> sync(const std::string& key);
  // The DaemonSet's own pods by target node; pods both terminal and being
  // deleted are left out unless `withFinished`.
  NodePods nodeToDaemonPods(const json::object& ds, bool withFinished) const;
  std::vector<ObjectPtr> nodes() const;

  // daemon_set_history.cpp
  boost::asio::awaitable<Result<History>> constructHistory(const json::object& ds);
  boost::asio::awaitable<Result<void>> cleanupHistory(const json::object& ds, const History& history);

  // daemon_set_manage.cpp
  boost::asio::awaitable<Result<void>> manage(const json::object& ds, const std::string& hash);
  boost::asio::awaitable<Result<void>> syncNodes(const json::object& ds,
                                                 const std::vector<PodPtr>& podsToDelete,
                                                 const std::vector<std::string>& nodesNeedingPods,
                                                 const std::string& hash);
  boost::asio::awaitable<Result<void>> createPods(const json::object& ds,
                                                  const std::vector<std::string>& nodeNames,
                                                  const std::string& hash);
  boost::asio::awaitable<Result<void>> deletePods(const json::object& ds,
                                                  const std::vector<PodPtr>& pods);

  // daemon_set_update.cpp
  boost::asio::awaitable<Result<void>> rollingUpdate(const json::object& ds, const std::string& hash);
  boost::asio::awaitable<Result<void>> updateStatus(const json::object& ds, const std::string& hash);

  client::RestClient& client_;
  client::InformerFactory& informers_;
  client::Informer& daemonSets_;
  client::Informer& pods_;
  client::Informer& nodes_;
  client::Informer& revisions_;
  boost::asio::any_io_executor executor_;
  DaemonSetControllerOptions options_;
  client::WorkQueue queue_;
  ControllerExpectations expectations_;
  EventRecorder events_;

  // Failed pods are replaced with a backoff per DaemonSet and node (1 s,
  // doubling to 15 min, as upstream's failedPodsBackoff), so a kubelet that
  // keeps rejecting the pod does not make the two fight in a hot loop.
  struct Backoff {
    std::chrono::steady_clock::duration delay{};
    std::chrono::steady_clock::time_point last;
  };
  // How long until a failed pod on `node` may be replaced (zero: now, and
  // the backoff grows).
  std::chrono::steady_clock::duration failedPodBackoff(const std::string& dsKey, const std::string& node);
  std::map<std::string, Backoff> failedPodsBackoff_;
};

// Helpers the controller's files share (daemon_set_util.cpp).
std::string str(const json::object& obj, std::string_view path);
std::int64_t num(const json::object& obj, std::string_view path, std::int64_t fallback = 0);
bool beingDeleted(const json::object& obj);
// The deprecated.daemonset.template.generation annotation, if set.
std::optional<std::int64_t> templateGeneration(const json::object& ds);
// upstream's IsPodUpdated: the pod carries the current hash (or template generation).
bool isPodUpdated(const json::object& pod, const std::string& hash, std::optional<std::int64_t> generation);
// Oldest first (by creationTimestamp, then name) — upstream keeps the oldest.
void sortByAge(std::vector<PodPtr>& pods);
// spec.updateStrategy.rollingUpdate.<field> (int or "N%") scaled to `total`,
// rounding up; `fallback` when absent or not a RollingUpdate.
int scaledUpdateValue(const json::object& ds, std::string_view field, int total, int fallback);
bool isRollingUpdate(const json::object& ds);

}  // namespace kcpp::controllers::daemon
