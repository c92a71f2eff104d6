#include "kubelet/config/mirror_pods.h"

#include <spdlog/spdlog.h>

#include "api/meta/object.h"
#include "controllers/common/controller.h"
#include "kubelet/config/pod_config.h"

namespace kcpp::kubelet::config {

namespace {

const std::string kMirrorPods = "mirror pods";  // outlives the workers

client::ResourcePath podPath(const std::string& ns, const std::string& name = "") {
  return client::ResourcePath{"", "v1", "pods", ns, name, "", ""};
}

std::string annotation(const json::object& pod, const char* key) {
  const json::value* a = api::findPath(pod, "metadata.annotations");
  if (!a || !a->is_object()) return "";
  return std::string(api::getString(a->get_object(), key));
}

std::pair<std::string, std::string> splitFullName(const std::string& fullName) {
  auto slash = fullName.find('/');
  return {fullName.substr(0, slash), fullName.substr(slash + 1)};
}

}  // namespace

std::string configHash(const json::object& pod) { return annotation(pod, kConfigHashAnnotation); }

json::object mirrorPodFor(const json::object& staticPod, const std::string& nodeName, const std::string& nodeUid) {
  json::object mirror = staticPod;
  json::object& metadata = api::ensureObject(mirror, "metadata");
  // The API server gives the mirror its own uid and versions.
  for (const char* key : {"uid", "resourceVersion", "creationTimestamp", "generation", "managedFields"}) {
    metadata.erase(key);
  }
  api::ensureObject(metadata, "annotations")[kConfigMirrorAnnotation] = configHash(staticPod);
  metadata["ownerReferences"] = json::array{json::object{
      {"apiVersion", "v1"}, {"kind", "Node"}, {"name", nodeName}, {"uid", nodeUid}, {"controller", true}}};
  mirror.erase("status");
  return mirror;
}

MirrorPodManager::MirrorPodManager(client::RestClient& client, boost::asio::any_io_executor executor,
                                   std::string nodeName, std::function<std::string()> nodeUid)
    : client_(client), nodeName_(std::move(nodeName)), nodeUid_(std::move(nodeUid)), queue_(executor) {}

void MirrorPodManager::setStaticPods(const std::vector<json::object>& pods) {
  std::map<std::string, json::object> next;
  for (const auto& p : pods) next[podFullName(p)] = p;
  for (const auto& [name, pod] : static_) {
    if (!next.count(name)) queue_.add(name);
  }
  for (const auto& [name, pod] : next) {
    auto old = static_.find(name);
    if (old == static_.end() || configHash(old->second) != configHash(pod)) queue_.add(name);
  }
  static_ = std::move(next);
  if (!staticSeen_) {
    staticSeen_ = true;
    for (const auto& [name, pod] : mirrors_) queue_.add(name);  // orphans waited for this
  }
}

void MirrorPodManager::setMirrorPods(const std::vector<json::object>& pods) {
  std::map<std::string, json::object> next;
  for (const auto& p : pods) next[podFullName(p)] = p;
  for (const auto& [name, pod] : mirrors_) {
    if (!next.count(name)) queue_.add(name);
  }
  for (const auto& [name, pod] : next) {
    auto old = mirrors_.find(name);
    if (old == mirrors_.end() || old->second != pod) queue_.add(name);
  }
  mirrors_ = std::move(next);
}

void MirrorPodManager::nodeRegistered() {
  for (const auto& [name, pod] : static_) queue_.add(name);
}

std::optional<json::object> MirrorPodManager::mirrorPodOf(const std::string& fullName) const {
  auto it = mirrors_.find(fullName);
  if (it == mirrors_.end()) return std::nullopt;
  return it->second;
}

boost::asio::awaitable<void> MirrorPodManager::run() {
  co_await controllers::runWorkers(
      queue_, 1, [this](const std::string& key) { return sync(key); }, kMirrorPods);
}

void MirrorPodManager::stop() { queue_.shutDown(); }

boost::asio::awaitable<Result<void>> MirrorPodManager::deleteMirror(const std::string& fullName,
                                                                    const std::string& uid) {
  auto [ns, name] = splitFullName(fullName);
  // DeleteMirrorPod: grace 0, only this very pod.
  json::object options{{"kind", "DeleteOptions"},
                       {"apiVersion", "v1"},
                       {"gracePeriodSeconds", 0},
                       {"preconditions", json::object{{"uid", uid}}}};
  client::ResourcePath path = podPath(ns, name);
  auto removed = co_await client_.remove(path, options);
  if (!removed && removed.error().reason != Reason::NotFound && removed.error().reason != Reason::Conflict) {
    co_return std::move(removed).error();
  }
  spdlog::info("kubelet: deleted mirror pod {} (uid {})", fullName, uid);
  mirrors_.erase(fullName);
  co_return Result<void>{};
}

boost::asio::awaitable<Result<void>> MirrorPodManager::sync(const std::string& fullName) {
  auto staticPod = static_.find(fullName);
  auto mirror = mirrors_.find(fullName);
  if (mirror != mirrors_.end()) {
    const json::object& m = mirror->second;
    bool orphaned = staticPod == static_.end();
    // Upstream cleans up orphaned mirrors only once every source was seen:
    // before the first manifest scan every mirror would look orphaned.
    if (orphaned && !staticSeen_) co_return Result<void>{};
    bool deleting = api::findPath(m, "metadata.deletionTimestamp") != nullptr;
    bool stale = !orphaned && annotation(m, kConfigMirrorAnnotation) != configHash(staticPod->second);
    if (!orphaned && !deleting && !stale) co_return Result<void>{};
    std::string uid(api::getString(m.at("metadata").as_object(), "uid"));
    auto deleted = co_await deleteMirror(fullName, uid);
    if (!deleted) co_return deleted;
    staticPod = static_.find(fullName);  // the sets may have changed meanwhile
  }
  if (staticPod == static_.end()) co_return Result<void>{};
  std::string nodeUid = nodeUid_();
  if (nodeUid.empty()) co_return Result<void>{};  // nodeRegistered() brings it back
  json::object desired = mirrorPodFor(staticPod->second, nodeName_, nodeUid);
  auto [ns, name] = splitFullName(fullName);
  client::ResourcePath collection = podPath(ns);
  auto created = co_await client_.create(collection, desired);
  if (created) {
    spdlog::info("kubelet: created mirror pod {} (uid {})", fullName, api::getString(created->at("metadata").as_object(), "uid"));
    mirrors_[fullName] = std::move(*created);
    co_return Result<void>{};
  }
  if (created.error().reason != Reason::AlreadyExists) co_return std::move(created).error();
  // Someone holds the name: the watch tells what it is; look again then.
  co_return Result<void>{};
}

}  // namespace kcpp::kubelet::config
