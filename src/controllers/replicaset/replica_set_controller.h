#pragma once
// The ReplicaSet controller (upstream pkg/controller/replicaset), which also runs
// ReplicationControllers as upstream does: it keeps `spec.replicas` active pods
// matching each one's selector, adopting orphans and releasing pods that no
// longer match, creating missing pods in slow-start batches (1, 2, 4, ...) and
// deleting surplus ones in upstream's ranking, and reports status (replicas,
// fullyLabeledReplicas, readyReplicas, availableReplicas, observedGeneration,
// the ReplicaFailure condition). Expectations keep a slow watch from causing
// double creates.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string>

#include "api/selectors/label_selector.h"
#include "client/informer/informer_factory.h"
#include "client/rest/rest_client.h"
#include "client/workqueue/work_queue.h"
#include "controllers/common/controller.h"
#include "controllers/common/controller_utils.h"
#include "controllers/common/event_recorder.h"
#include "controllers/common/expectations.h"

namespace kcpp::controllers {

namespace json = boost::json;

// Which workload kind the controller manages.
struct ReplicatedKind {
  std::string group;     // "apps" or ""
  std::string version;   // "v1"
  std::string resource;  // "replicasets" or "replicationcontrollers"
  std::string kind;      // "ReplicaSet" or "ReplicationController"
  bool selectorIsMap = false;  // RCs have a plain label map as selector

  static ReplicatedKind replicaSets();
  static ReplicatedKind replicationControllers();
  std::string apiVersion() const { return group.empty() ? version : group + "/" + version; }
};

struct ReplicaSetControllerOptions {
  int burstReplicas = 500;  // upstream's BurstReplicas: creates/deletes per sync
  int workers = 5;          // upstream's --concurrent-replicaset-syncs
};

class ReplicaSetController : public Controller {
 public:
  ReplicaSetController(ReplicatedKind kind, client::RestClient& client,
                       client::InformerFactory& informers, boost::asio::any_io_executor executor,
                       ReplicaSetControllerOptions options = {});

  boost::asio::awaitable<void> run() override;
  void stop() override { queue_.shutDown(); }

 private:
  void registerHandlers();
  void enqueue(const json::object& owner);
  void onPodAdded(const client::ObjectPtr& pod);
  void onPodUpdated(const client::ObjectPtr& oldPod, const client::ObjectPtr& newPod);
  void onPodDeleted(const client::ObjectPtr& pod);
  // The owner a pod's controllerRef names, if it is one of ours and still exists.
  client::ObjectPtr ownerOf(const json::object& pod) const;
  void enqueueMatchingOwners(const json::object& pod);

  boost::asio::awaitable<Result<void>> sync(const std::string& key);
  boost::asio::awaitable<Result<std::vector<PodPtr>>> claimPods(const json::object& owner,
                                                                const selectors::LabelSelector& selector);
  boost::asio::awaitable<Result<void>> manageReplicas(const json::object& owner,
                                                      const std::vector<PodPtr>& pods);
  boost::asio::awaitable<Result<void>> createPods(const json::object& owner, int count);
  boost::asio::awaitable<Result<void>> updateStatus(const json::object& owner,
                                                    const std::vector<PodPtr>& pods,
                                                    const std::optional<Error>& manageError);

  ReplicatedKind kind_;
  client::RestClient& client_;
  client::Informer& owners_;
  client::Informer& pods_;
  client::InformerFactory& informers_;
  boost::asio::any_io_executor executor_;
  ReplicaSetControllerOptions options_;
  client::WorkQueue queue_;
  ControllerExpectations expectations_;
  EventRecorder events_;
};

}  // namespace kcpp::controllers
