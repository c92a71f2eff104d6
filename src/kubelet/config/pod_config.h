#pragma once
// The kubelet's desired pods, as upstream's pkg/kubelet/config: each source
// (the API, static manifest files) hands over its whole current set of pods;
// PodConfig keeps them per source by uid and tells the consumer (the pod
// workers) what changed, one PodUpdate per kind of change:
//
//   Add        new pods
//   Update     pods whose spec, labels, annotations or graceful-deletion fields changed
//   Delete     pods that got a deletionTimestamp (graceful deletion asked through the API)
//   Remove     pods gone from their source (deleted from the API, manifest file removed)
//   Reconcile  pods whose status alone changed (the API holds a status the kubelet must reconcile)
//
// Pods carry upstream's local annotations: kubernetes.io/config.source
// ("api" or "file") and kubernetes.io/config.seen (when the kubelet first saw
// them). Mirror pods (kubernetes.io/config.mirror) are not desired pods: the
// API source leaves them to MirrorPodManager (mirror_pods.h).
//
// Not thread-safe: one executor.

#include <boost/json.hpp>

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace kcpp::kubelet::config {

namespace json = boost::json;

// Upstream's kubetypes annotation keys and source names.
inline constexpr const char* kConfigSourceAnnotation = "kubernetes.io/config.source";
inline constexpr const char* kConfigHashAnnotation = "kubernetes.io/config.hash";
inline constexpr const char* kConfigSeenAnnotation = "kubernetes.io/config.seen";
inline constexpr const char* kConfigMirrorAnnotation = "kubernetes.io/config.mirror";
inline constexpr const char* kApiSource = "api";
inline constexpr const char* kFileSource = "file";

enum class PodOperation { Add, Update, Delete, Remove, Reconcile };
const char* operationName(PodOperation op);

struct PodUpdate {
  PodOperation op;
  std::string source;             // kApiSource or kFileSource
  std::vector<json::object> pods;  // the pods as desired now (for Remove: as last known)
};

// What consumes the updates (the pod workers; the Kubelet class implements it).
class PodUpdateHandler {
 public:
  virtual ~PodUpdateHandler() = default;
  virtual void handlePodUpdate(const PodUpdate& update) = 0;
};

// A handler from a function (tests, logging).
class PodUpdateFunction : public PodUpdateHandler {
 public:
  explicit PodUpdateFunction(std::function<void(const PodUpdate&)> fn) : fn_(std::move(fn)) {}
  void handlePodUpdate(const PodUpdate& update) override { fn_(update); }

 private:
  std::function<void(const PodUpdate&)> fn_;
};

bool isMirrorPod(const json::object& pod);
bool isStaticPod(const json::object& pod);  // config.source is not "api"
// "namespace/name".
std::string podFullName(const json::object& pod);

class PodConfig {
 public:
  explicit PodConfig(PodUpdateHandler& handler) : handler_(handler) {}

  // `source`'s whole current set of pods (upstream's SET): differences from
  // the last set become updates, delivered before this returns.
  void setPods(const std::string& source, std::vector<json::object> pods);

  // True once every source in `sources` has delivered a first set
  // (upstream's SeenAllSources: the kubelet waits before cleaning up).
  bool seenAllSources(const std::set<std::string>& sources) const;
  // Every desired pod now, all sources.
  std::vector<json::object> pods() const;

 private:
  PodUpdateHandler& handler_;
  std::map<std::string, std::map<std::string, json::object>> bySource_;  // source → uid → pod
  std::set<std::string> seen_;
};

// Upstream's podsDifferSemantically: spec, labels, deletion fields, or
// annotations other than the local ones differ.
bool podsDifferSemantically(const json::object& a, const json::object& b);

}  // namespace kcpp::kubelet::config
