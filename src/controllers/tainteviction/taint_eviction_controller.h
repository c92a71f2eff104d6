#pragma once
// The taint eviction controller (upstream pkg/controller/tainteviction, the
// "NoExecute taint manager"): a pod on a node with a NoExecute taint it does not
// tolerate is deleted at once; a pod tolerating every such taint for a limited
// time (tolerationSeconds; the DefaultTolerationSeconds admission plugin gives
// 300 s for not-ready and unreachable) is deleted when the shortest of them runs
// out, counted from when the controller first saw it tainted; removing the
// taints (or the pod) cancels the deletion. Before deleting, the pod gets the
// condition DisruptionTarget=True (reason DeletionByTaintManager); events
// "TaintManagerEviction: Marking for deletion Pod ns/name" and "Cancelling
// deletion of Pod ns/name".

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <map>
#include <string>

#include "client/informer/informer_factory.h"
#include "client/rest/rest_client.h"
#include "client/workqueue/work_queue.h"
#include "controllers/common/controller.h"
#include "controllers/common/event_recorder.h"

namespace kcpp::controllers {

namespace json = boost::json;

class TaintEvictionController : public Controller {
 public:
  TaintEvictionController(client::RestClient& client, client::InformerFactory& informers,
                          boost::asio::any_io_executor executor);

  boost::asio::awaitable<void> run() override;
  void stop() override;

  // For tests: whether a deletion of pod "ns/name" is scheduled and not yet done.
  bool evictionScheduled(const std::string& podKey) const;

 private:
  // Upstream's TimedWorkerQueue entry: a deletion due at `fireAt`. Once done it
  // stays (so that the pod is not deleted twice) until cancelled.
  struct Work {
    std::chrono::steady_clock::time_point createdAt;
    std::chrono::steady_clock::time_point fireAt;
    bool done = false;
  };

  void onPodUpdated(const client::ObjectPtr& oldPod, const client::ObjectPtr& newPod);
  void onNodeUpdated(const client::ObjectPtr& oldNode, const client::ObjectPtr& newNode);
  boost::asio::awaitable<Result<void>> handlePodUpdate(const std::string& key);
  boost::asio::awaitable<Result<void>> handleNodeUpdate(const std::string& name);
  void processPodOnNode(const std::string& podKey, const json::array& tolerations, const json::array& taints,
                        std::chrono::steady_clock::time_point now);
  void addWork(const std::string& podKey, std::chrono::steady_clock::time_point createdAt,
               std::chrono::steady_clock::time_point fireAt);
  void cancelWork(const std::string& podKey);
  boost::asio::awaitable<Result<void>> evict(const std::string& podKey);
  void recordPodEvent(const std::string& podKey, const std::string& message);

  client::RestClient& client_;
  client::InformerFactory& informers_;
  client::Informer& pods_;
  client::Informer& nodes_;
  boost::asio::any_io_executor executor_;
  client::WorkQueue nodeQueue_;
  client::WorkQueue podQueue_;
  client::WorkQueue evictionQueue_;
  EventRecorder events_;
  std::map<std::string, json::array> taintedNodes_;  // node → its NoExecute taints
  std::map<std::string, Work> works_;                 // pod key → scheduled deletion
};

}  // namespace kcpp::controllers
