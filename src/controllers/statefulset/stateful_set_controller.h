#pragma once
// The StatefulSet controller (upstream pkg/controller/statefulset): pods with
// stable identities "<set>-<ordinal>" (hostname, subdomain from serviceName,
// pod-name/pod-index labels) and stable storage (PVCs from
// volumeClaimTemplates, created before the pod and kept after it unless
// persistentVolumeClaimRetentionPolicy says Delete). OrderedReady creates
// ordinal i only once 0..i-1 are Running and Ready, deletes the highest first
// and halts on an unhealthy pod; Parallel does not wait. RollingUpdate replaces
// pods with ordinal >= partition, highest first, one at a time; OnDelete waits
// for the user. Template history is kept as ControllerRevisions; status reports
// replicas, ready/current/updated/available, the two revisions and
// collisionCount, so `kubectl rollout status|history|undo sts/x` work.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <string>
#include <vector>

#include "client/informer/informer_factory.h"
#include "client/rest/rest_client.h"
#include "client/workqueue/work_queue.h"
#include "controllers/common/controller.h"
#include "controllers/common/controller_utils.h"
#include "controllers/common/event_recorder.h"

namespace kcpp::controllers::statefulset {

namespace json = boost::json;
using client::ObjectPtr;

struct StatefulSetControllerOptions {
  int workers = 5;  // upstream's --concurrent-statefulset-syncs
};

class StatefulSetController : public Controller {
 public:
  StatefulSetController(client::RestClient& client, client::InformerFactory& informers,
                        boost::asio::any_io_executor executor, StatefulSetControllerOptions options = {});

  boost::asio::awaitable<void> run() override;
  void stop() override { queue_.shutDown(); }

 private:
  struct Revisions {
    json::object current;
    json::object update;
    std::vector<ObjectPtr> all;
    std::int64_t collisionCount = 0;
  };
  struct Counts {  // status counters, upstream's
    std::int64_t replicas = 0, ready = 0, available = 0, current = 0, updated = 0;
  };

  void registerHandlers();
  void enqueue(const json::object& set);
  ObjectPtr ownerOf(const json::object& pod) const;
  void onPodEvent(const ObjectPtr& oldPod, const ObjectPtr& pod);
  // Orphans: enqueue the sets whose selector matches (they may adopt it).
  void enqueueSelecting(const json::object& pod);

  boost::asio::awaitable<Result<void>> sync(const std::string& key);
  std::vector<PodPtr> podsOf(const json::object& set) const;

  // stateful_set_control.cpp: upstream's defaultStatefulSetControl
  boost::asio::awaitable<Result<Revisions>> revisionsOf(const json::object& set);
  boost::asio::awaitable<Result<void>> updateStatefulSet(const json::object& set, const Revisions& revs,
                                                         const std::vector<PodPtr>& pods, Counts& counts);
  boost::asio::awaitable<Result<void>> truncateHistory(const json::object& set, const std::vector<PodPtr>& pods,
                                                       const Revisions& revs);
  boost::asio::awaitable<Result<void>> writeStatus(const json::object& set, const Revisions& revs,
                                                   Counts counts);

  // stateful_pod_control.cpp: upstream's StatefulPodControl
  boost::asio::awaitable<Result<void>> createClaims(const json::object& set, const json::object& pod);
  boost::asio::awaitable<Result<void>> createPod(const json::object& set, const json::object& pod);
  boost::asio::awaitable<Result<void>> deletePod(const json::object& set, const json::object& pod);
  boost::asio::awaitable<Result<void>> fixIdentity(const json::object& set, const json::object& pod);
  // whenScaled: Delete: the pod about to go away owns its claims.
  boost::asio::awaitable<Result<void>> claimsOwnedByPod(const json::object& set, const json::object& pod);

  client::RestClient& client_;
  client::InformerFactory& informers_;
  client::Informer& sets_;
  client::Informer& pods_;
  client::Informer& claims_;
  client::Informer& revisions_;
  boost::asio::any_io_executor executor_;
  StatefulSetControllerOptions options_;
  client::WorkQueue queue_;
  EventRecorder events_;
};

}  // namespace kcpp::controllers::statefulset
