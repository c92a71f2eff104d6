#pragma once
// The Deployment controller (upstream's pkg/controller/deployment): a Deployment
// owns ReplicaSets named "<deployment>-<pod-template-hash>", one per pod template
// it has had; it rolls from the old ones to the new one by its strategy
// (RollingUpdate within maxSurge/maxUnavailable, or Recreate), scales them
// proportionally when resized mid-rollout, keeps revisionHistoryLimit old ones,
// and reports replicas and the Available/Progressing conditions in its status.
//
// Split by concern as upstream: deployment_controller.cpp (handlers, claiming
// ReplicaSets, the sync dispatch), sync.cpp (new RS, scaling, cleanup, status),
// rolling.cpp, recreate.cpp, progress.cpp (Progressing and the deadline),
// rollback.cpp (the legacy rollback annotation).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "client/informer/informer_factory.h"
#include "client/rest/rest_client.h"
#include "client/workqueue/work_queue.h"
#include "controllers/common/controller.h"
#include "controllers/common/controller_utils.h"
#include "controllers/common/event_recorder.h"
#include "controllers/deployment/deployment_util.h"
#include "util/error.h"

namespace kcpp::controllers {

struct DeploymentControllerOptions {
  int workers = 5;  // upstream's --concurrent-deployment-syncs
};

class DeploymentController : public Controller {
 public:
  DeploymentController(client::RestClient& client, client::InformerFactory& informers,
                       boost::asio::any_io_executor executor, DeploymentControllerOptions options = {});

  boost::asio::awaitable<void> run() override;
  void stop() override { queue_.shutDown(); }

  // Reconciles one deployment ("namespace/name") from the informers' state.
  boost::asio::awaitable<Result<void>> syncDeployment(const std::string& key);

 private:
  using RsPtr = deployment::RsPtr;
  using RsList = deployment::RsList;
  // Pods by the uid of the ReplicaSet that controls them.
  using PodMap = std::map<std::string, std::vector<PodPtr>>;
  struct RsSets {
    RsPtr newRS;  // null when none matches the template (and none was created)
    RsList oldRSs;
  };

  // deployment_controller.cpp
  void registerHandlers();
  void enqueue(const json::object& d) { queue_.add(client::objectKey(d)); }
  client::ObjectPtr deploymentOf(const json::object& rs) const;
  void enqueueMatchingDeployments(const json::object& rs);
  void onReplicaSetAdded(const client::ObjectPtr& rs);
  void onReplicaSetUpdated(const client::ObjectPtr& oldRS, const client::ObjectPtr& newRS);
  void onReplicaSetDeleted(const client::ObjectPtr& rs);
  void onPodDeleted(const client::ObjectPtr& pod);
  boost::asio::awaitable<Result<RsList>> claimReplicaSets(const json::object& d);
  PodMap podMapFor(const json::object& d, const RsList& rss) const;
  boost::asio::awaitable<Result<void>> checkPausedConditions(json::object& d);
  // Writes d's status (and annotations), replacing d with what was stored.
  boost::asio::awaitable<Result<void>> updateDeploymentStatus(json::object& d);

  // sync.cpp
  boost::asio::awaitable<Result<void>> syncScaling(json::object& d, const RsList& rss);
  boost::asio::awaitable<Result<RsSets>> replicaSetsAndSyncRevision(json::object& d, const RsList& rss,
                                                                    bool createIfMissing);
  boost::asio::awaitable<Result<RsPtr>> syncExistingNewReplicaSet(json::object& d, const RsPtr& existing,
                                                                  const std::string& newRevision);
  boost::asio::awaitable<Result<RsPtr>> createNewReplicaSet(json::object& d, const RsList& oldRSs,
                                                            const std::string& newRevision);
  boost::asio::awaitable<Result<void>> scale(json::object& d, const RsPtr& newRS, const RsList& oldRSs);
  boost::asio::awaitable<Result<void>> scaleProportionally(json::object& d, const RsPtr& newRS,
                                                           const RsList& oldRSs);
  // (scaled?, the RS as now stored)
  boost::asio::awaitable<Result<std::pair<bool, RsPtr>>> scaleReplicaSetAndRecordEvent(
      const RsPtr& rs, std::int64_t newScale, const json::object& d);
  boost::asio::awaitable<Result<std::pair<bool, RsPtr>>> scaleReplicaSet(
      const RsPtr& rs, std::int64_t newScale, const json::object& d, const std::string& operation);
  boost::asio::awaitable<Result<void>> cleanupDeployment(const RsList& oldRSs, const json::object& d);
  boost::asio::awaitable<Result<void>> syncDeploymentStatus(const RsList& allRSs, const RsPtr& newRS,
                                                            json::object& d);
  bool isScalingEvent(const json::object& d, const RsList& rss) const;

  // rolling.cpp
  boost::asio::awaitable<Result<void>> rolloutRolling(json::object& d, const RsList& rss);
  boost::asio::awaitable<Result<bool>> reconcileNewReplicaSet(const RsList& allRSs, const RsPtr& newRS,
                                                              const json::object& d);
  boost::asio::awaitable<Result<bool>> reconcileOldReplicaSets(const RsList& allRSs, RsList oldRSs,
                                                               const RsPtr& newRS, const json::object& d);
  boost::asio::awaitable<Result<std::int64_t>> cleanupUnhealthyReplicas(RsList& oldRSs, const json::object& d,
                                                                        std::int64_t maxCleanup);
  boost::asio::awaitable<Result<std::int64_t>> scaleDownOldForRollingUpdate(const RsList& allRSs,
                                                                            RsList oldRSs,
                                                                            const json::object& d);

  // recreate.cpp
  boost::asio::awaitable<Result<void>> rolloutRecreate(json::object& d, const RsList& rss,
                                                       const PodMap& pods);

  // progress.cpp
  boost::asio::awaitable<Result<void>> syncRolloutStatus(const RsList& allRSs, const RsPtr& newRS,
                                                         json::object& d);
  void requeueStuckDeployment(const json::object& d, const json::object& newStatus);

  // rollback.cpp
  boost::asio::awaitable<Result<void>> rollback(json::object& d, const RsList& rss);

  client::RestClient& client_;
  client::Informer& deployments_;
  client::Informer& replicaSets_;
  client::Informer& pods_;
  client::InformerFactory& informers_;
  boost::asio::any_io_executor executor_;
  DeploymentControllerOptions options_;
  client::WorkQueue queue_;
  EventRecorder events_;
};

namespace deployment {
// Where a deployment or ReplicaSet (by name, in `ns`) is written.
client::ResourcePath deploymentPath(const std::string& ns, const std::string& name,
                                    const std::string& subresource = "");
client::ResourcePath replicaSetPath(const std::string& ns, const std::string& name = "");
}  // namespace deployment

}  // namespace kcpp::controllers
