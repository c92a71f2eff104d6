// Creating, deleting and fixing a StatefulSet's pods and claims, with
// upstream's events (StatefulPodControl in stateful_pod_control.go).
#include "api/meta/object.h"
#include "controllers/statefulset/stateful_set_controller.h"
#include "controllers/statefulset/stateful_set_utils.h"

namespace kcpp::controllers::statefulset {

namespace asio = boost::asio;

namespace {

client::ResourcePath podPath(const json::object& pod, bool named = true) {
  return client::ResourcePath{"", "v1", "pods", str(pod, "metadata.namespace"),
                              named ? str(pod, "metadata.name") : "", "", ""};
}

client::ResourcePath claimPath(const std::string& ns, const std::string& name = "") {
  return client::ResourcePath{"", "v1", "persistentvolumeclaims", ns, name, "", ""};
}

// An ownerReference that is not a controller reference (upstream's setOwnerRef).
json::object plainOwnerRef(const json::object& owner, const std::string& apiVersion, const std::string& kind) {
  return json::object{{"apiVersion", apiVersion},
                      {"kind", kind},
                      {"name", str(owner, "metadata.name")},
                      {"uid", str(owner, "metadata.uid")}};
}

}  // namespace

asio::awaitable<Result<void>> StatefulSetController::createClaims(const json::object& set, const json::object& pod) {
  std::string ns = str(set, "metadata.namespace");
  std::string podName = str(pod, "metadata.name");
  std::int64_t ordinal = parentAndOrdinal(podName).ordinal;
  bool deleteWithSet = str(set, "spec.persistentVolumeClaimRetentionPolicy.whenDeleted") == "Delete";
  for (json::object claim : claimsFor(set, ordinal)) {
    std::string name = str(claim, "metadata.name");
    if (claims_.get(ns + "/" + name)) continue;
    if (deleteWithSet) {
      claim["metadata"].as_object()["ownerReferences"] =
          json::array{plainOwnerRef(set, "apps/v1", "StatefulSet")};
    }
    auto created = co_await client_.create(claimPath(ns), claim);
    if (!created && created.error().reason == Reason::AlreadyExists) continue;  // our cache lags
    if (!created) {
      events_.record(set, "Warning", "FailedCreate",
                     "create Claim " + name + " for Pod " + podName + " in StatefulSet " +
                         str(set, "metadata.name") + " failed error: " + created.error().message);
      co_return std::move(created).error();
    }
    events_.record(set, "Normal", "SuccessfulCreate",
                   "create Claim " + name + " Pod " + podName + " in StatefulSet " + str(set, "metadata.name") +
                       " success");
  }
  co_return Result<void>{};
}

asio::awaitable<Result<void>> StatefulSetController::createPod(const json::object& set, const json::object& pod) {
  // Storage first: the pod must never start without its claims.
  auto claimed = co_await createClaims(set, pod);
  if (!claimed) co_return claimed;
  auto created = co_await client_.create(podPath(pod, false), pod);
  // Already there: our cache has not seen it (or its predecessor is still going).
  if (!created && created.error().reason == Reason::AlreadyExists) co_return Result<void>{};
  std::string what = "Pod " + str(pod, "metadata.name") + " in StatefulSet " + str(set, "metadata.name");
  if (!created) {
    events_.record(set, "Warning", "FailedCreate", "create " + what + " failed error: " + created.error().message);
    co_return std::move(created).error();
  }
  events_.record(set, "Normal", "SuccessfulCreate", "create " + what + " successful");
  co_return Result<void>{};
}

asio::awaitable<Result<void>> StatefulSetController::deletePod(const json::object& set, const json::object& pod) {
  const json::object noOptions;
  auto deleted = co_await client_.remove(podPath(pod), noOptions);
  if (!deleted && deleted.error().reason == Reason::NotFound) co_return Result<void>{};
  std::string what = "Pod " + str(pod, "metadata.name") + " in StatefulSet " + str(set, "metadata.name");
  if (!deleted) {
    events_.record(set, "Warning", "FailedDelete", "delete " + what + " failed error: " + deleted.error().message);
    co_return std::move(deleted).error();
  }
  events_.record(set, "Normal", "SuccessfulDelete", "delete " + what + " successful");
  co_return Result<void>{};
}

asio::awaitable<Result<void>> StatefulSetController::fixIdentity(const json::object& set, const json::object& pod) {
  if (!storageMatches(set, pod)) {
    // A running pod's volumes cannot change; recreate the claims it names.
    auto claimed = co_await createClaims(set, pod);
    if (!claimed) co_return claimed;
  }
  if (identityMatches(set, pod)) co_return Result<void>{};
  json::object fixed = pod;
  updateIdentity(set, fixed);
  json::object patch{{"metadata", json::object{{"labels", api::findPath(fixed, "metadata.labels")->get_object()}}}};
  const std::string contentType = "application/merge-patch+json";
  const std::string body = json::serialize(patch);
  auto patched = co_await client_.patch(podPath(pod), contentType, body);
  if (!patched && patched.error().reason != Reason::NotFound) {
    events_.record(set, "Warning", "FailedUpdate",
                   "update Pod " + str(pod, "metadata.name") + " in StatefulSet " + str(set, "metadata.name") +
                       " failed error: " + patched.error().message);
    co_return std::move(patched).error();
  }
  co_return Result<void>{};
}

asio::awaitable<Result<void>> StatefulSetController::claimsOwnedByPod(const json::object& set,
                                                                      const json::object& pod) {
  std::string ns = str(set, "metadata.namespace");
  std::string uid = str(pod, "metadata.uid");
  for (const json::object& wanted : claimsFor(set, parentAndOrdinal(str(pod, "metadata.name")).ordinal)) {
    ObjectPtr claim = claims_.get(ns + "/" + str(wanted, "metadata.name"));
    if (!claim) continue;
    json::array refs;
    bool owned = false;
    if (const json::value* r = api::findPath(*claim, "metadata.ownerReferences"); r && r->is_array()) {
      refs = r->get_array();
      for (const auto& ref : refs) owned |= ref.is_object() && api::getString(ref.get_object(), "uid") == uid;
    }
    if (owned) continue;
    refs.push_back(plainOwnerRef(pod, "v1", "Pod"));
    json::object patch{{"metadata", json::object{{"ownerReferences", std::move(refs)}}}};
    const std::string contentType = "application/merge-patch+json";
    const std::string body = json::serialize(patch);
    auto patched = co_await client_.patch(claimPath(ns, str(*claim, "metadata.name")), contentType, body);
    if (!patched && patched.error().reason != Reason::NotFound) co_return std::move(patched).error();
  }
  co_return Result<void>{};
}

}  // namespace kcpp::controllers::statefulset
