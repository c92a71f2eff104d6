#pragma once
// Mirror pods: the API's view of static pods, as upstream's kubelet keeps
// them (pkg/kubelet/pod/mirror_client.go; syncPod and HandlePodCleanups):
//
// - every static pod gets a mirror pod in the API: a copy with the annotation
//   kubernetes.io/config.mirror = its config hash and, as upstream 1.27+, a
//   controller ownerReference to the Node (the NodeRestriction admission
//   insists on it);
// - a mirror pod that is being deleted (kubectl delete) or whose hash is not
//   the static pod's (the file changed) is deleted at once (grace 0, uid
//   precondition) and created again; the API gives the new mirror a new uid;
// - a mirror pod without a static pod (the file went) is deleted.
//
// What happens to mirror pods never touches the static pods themselves.
// Not thread-safe: one executor.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "client/rest/rest_client.h"
#include "client/workqueue/work_queue.h"
#include "kubelet/config/pod_runtime.h"

namespace kcpp::kubelet::config {

namespace json = boost::json;

// The mirror pod to create for `staticPod` on node `nodeName` (uid `nodeUid`).
json::object mirrorPodFor(const json::object& staticPod, const std::string& nodeName, const std::string& nodeUid);
// The static pod's config hash (its kubernetes.io/config.hash annotation).
std::string configHash(const json::object& pod);

class MirrorPodManager : public MirrorPodLookup {
 public:
  // `nodeUid` answers "" until the Node is registered; no mirror is created before.
  MirrorPodManager(client::RestClient& client, boost::asio::any_io_executor executor, std::string nodeName,
                   std::function<std::string()> nodeUid);

  // The static pods now (all of them) and the mirror pods the API holds for this node.
  void setStaticPods(const std::vector<json::object>& pods);
  void setMirrorPods(const std::vector<json::object>& pods);
  // The Node just registered: create what waits for it.
  void nodeRegistered();

  boost::asio::awaitable<void> run();
  void stop();

  // For the status manager: the mirror pod of a static pod ("ns/name"), if any.
  std::optional<json::object> mirrorPodOf(const std::string& fullName) const override;

 private:
  boost::asio::awaitable<Result<void>> sync(const std::string& fullName);
  boost::asio::awaitable<Result<void>> deleteMirror(const std::string& fullName, const std::string& uid);

  client::RestClient& client_;
  std::string nodeName_;
  std::function<std::string()> nodeUid_;
  std::map<std::string, json::object> static_;  // "ns/name" → static pod
  std::map<std::string, json::object> mirrors_;  // "ns/name" → mirror pod in the API
  client::WorkQueue queue_;
  bool staticSeen_ = false;  // setStaticPods was called at least once
};

}  // namespace kcpp::kubelet::config
