#pragma once
// The Deployment controller's pure helpers (upstream's
// pkg/controller/deployment/util and the ReplicaSet helpers of
// pkg/controller): pod-template hashes, revisions and the annotations that
// carry them, maxSurge/maxUnavailable arithmetic, proportional scaling, replica
// counts over a set of ReplicaSets, and Deployment conditions.
//
// Objects are JSON (DESIGN.md §4); ReplicaSets are shared, immutable snapshots
// (the informer's, or a write's response).

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kcpp::controllers::deployment {

namespace json = boost::json;

using RsPtr = std::shared_ptr<const json::object>;
using RsList = std::vector<RsPtr>;

inline constexpr std::string_view kRevisionAnnotation = "deployment.kubernetes.io/revision";
inline constexpr std::string_view kRevisionHistoryAnnotation = "deployment.kubernetes.io/revision-history";
inline constexpr std::string_view kDesiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas";
inline constexpr std::string_view kMaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";
inline constexpr std::string_view kRollbackToAnnotation = "deprecated.deployment.rollback.to";
inline constexpr std::string_view kLastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";
inline constexpr std::string_view kPodTemplateHashLabel = "pod-template-hash";
// Upstream's maxRevHistoryLengthInChars.
inline constexpr std::size_t kMaxRevisionHistoryChars = 2000;

// Condition types and reasons (upstream's deploymentutil constants).
inline constexpr std::string_view kAvailable = "Available";
inline constexpr std::string_view kProgressing = "Progressing";
inline constexpr std::string_view kReplicaFailure = "ReplicaFailure";
inline constexpr std::string_view kMinimumReplicasAvailable = "MinimumReplicasAvailable";
inline constexpr std::string_view kMinimumReplicasUnavailable = "MinimumReplicasUnavailable";
inline constexpr std::string_view kNewReplicaSetCreated = "NewReplicaSetCreated";
inline constexpr std::string_view kFoundNewReplicaSet = "FoundNewReplicaSet";
inline constexpr std::string_view kReplicaSetUpdated = "ReplicaSetUpdated";
inline constexpr std::string_view kNewReplicaSetAvailable = "NewReplicaSetAvailable";
inline constexpr std::string_view kFailedReplicaSetCreate = "ReplicaSetCreateError";
inline constexpr std::string_view kProgressDeadlineExceeded = "ProgressDeadlineExceeded";
inline constexpr std::string_view kDeploymentPaused = "DeploymentPaused";
inline constexpr std::string_view kDeploymentResumed = "DeploymentResumed";

// --- fields --------------------------------------------------------------------

std::int64_t intAt(const json::object& obj, std::string_view path, std::int64_t fallback = 0);
std::string stringAt(const json::object& obj, std::string_view path);
// metadata.annotations[key] ("" when absent); keys hold dots, so not a path.
std::string annotation(const json::object& obj, std::string_view key);
void setAnnotation(json::object& obj, std::string_view key, const std::string& value);
// spec.replicas (the API defaults it to 1).
std::int64_t specReplicas(const json::object& obj);
bool beingDeleted(const json::object& obj);
// spec.paused is true.
bool isPaused(const json::object& d);

// --- hashing and templates -----------------------------------------------------

// JSON with every object's keys sorted: the same object always prints the same.
std::string canonicalJson(const json::value& value);
// Upstream's rand.SafeEncodeString: each byte mapped onto an alphabet without
// vowels (so no words) and without look-alikes (0/o, 1/l).
std::string safeEncodeString(std::string_view s);
// The pod-template-hash: FNV-32a over the template (canonical JSON here, where
// upstream hashes Go's deep print) plus the collision count, as upstream's
// controller.ComputeHash, rendered with safeEncodeString.
std::string computeHash(const json::object& podTemplate, std::optional<std::int64_t> collisionCount);
// Whether two pod templates are equal once the pod-template-hash label is ignored.
bool equalIgnoreHash(const json::object& a, const json::object& b);
// The ReplicaSet template for a Deployment: its template plus the hash label.
json::object templateWithHash(const json::object& deploymentTemplate, const std::string& hash);
// The Deployment's selector plus matchLabels[pod-template-hash] = hash.
json::object selectorWithHash(const json::value& selector, const std::string& hash);

// --- strategy arithmetic -------------------------------------------------------

bool isRollingUpdate(const json::object& d);
// An intstr (int or "N%") scaled against `total`; a percentage rounds up or down.
std::int64_t scaledValue(const json::value* intOrPercent, std::int64_t total, bool roundUp);
struct Fenceposts {
  std::int64_t maxSurge = 0;
  std::int64_t maxUnavailable = 0;
};
// Surge rounds up, unavailable rounds down; both zero becomes unavailable 1.
Fenceposts resolveFenceposts(const json::value* maxSurge, const json::value* maxUnavailable,
                             std::int64_t desired);
std::int64_t maxSurge(const json::object& d);
// Never more than spec.replicas; 0 for Recreate or zero replicas.
std::int64_t maxUnavailable(const json::object& d);

// --- revisions and annotations -------------------------------------------------

std::int64_t revisionOf(const json::object& obj);  // 0 if absent or invalid
std::int64_t maxRevision(const RsList& rss);
// Copies the deployment's annotations (but the controller's own and
// last-applied) onto the new ReplicaSet, raises its revision to newRevision
// (keeping the old one in revision-history), and for a RS about to be created
// sets the replicas annotations. True if anything changed.
bool setNewReplicaSetAnnotations(const json::object& d, json::object& rs, const std::string& newRevision,
                                 bool exists);
bool setReplicasAnnotations(json::object& rs, std::int64_t desired, std::int64_t maxReplicas);
bool replicasAnnotationsNeedUpdate(const json::object& rs, std::int64_t desired, std::int64_t maxReplicas);
std::optional<std::int64_t> desiredReplicasAnnotation(const json::object& rs);
// Sets the deployment's revision annotation; true if it changed.
bool setDeploymentRevision(json::object& d, const std::string& revision);

// --- sets of ReplicaSets -------------------------------------------------------

// Oldest first; equal times by name (upstream's ReplicaSetsByCreationTimestamp).
void sortByCreation(RsList& rss);
// Largest first; equal sizes newer first (ReplicaSetsBySizeNewer) or older first.
void sortBySizeNewer(RsList& rss);
void sortBySizeOlder(RsList& rss);
// Lowest revision first; equal revisions by creation.
void sortByRevision(RsList& rss);
// Those with spec.replicas > 0 (null entries dropped).
RsList filterActive(const RsList& rss);
// The oldest ReplicaSet whose template equals the deployment's (hash ignored).
RsPtr findNewReplicaSet(const json::object& d, const RsList& rss);
// Every ReplicaSet but `newRS`.
RsList findOldReplicaSets(const RsList& rss, const RsPtr& newRS);
// The one active RS (or the newest, when none is active); null when several are.
RsPtr findActiveOrLatest(const RsPtr& newRS, RsList oldRSs);

std::int64_t specReplicaCount(const RsList& rss);       // sum of spec.replicas
std::int64_t actualReplicaCount(const RsList& rss);     // sum of status.replicas
std::int64_t readyReplicaCount(const RsList& rss);      // sum of status.readyReplicas
std::int64_t availableReplicaCount(const RsList& rss);  // sum of status.availableReplicas

// The new RS runs the deployment's size, says so in its annotation, and all its
// replicas are available.
bool isSaturated(const json::object& d, const RsPtr& newRS);
// How many of `toAdd` (negative: remove) replicas `rs` takes in a proportional
// scale, given `added` already handed out.
std::int64_t proportion(const json::object& rs, const json::object& d, std::int64_t toAdd,
                        std::int64_t added);
// The size the new RS may grow to now (maxSurge bounds a rolling update).
std::int64_t newRSNewReplicas(const json::object& d, const RsList& allRSs, const json::object& newRS);

// --- conditions and status -----------------------------------------------------

const json::object* findCondition(const json::object& status, std::string_view type);
json::object newCondition(std::string_view type, std::string_view status, std::string_view reason,
                          const std::string& message);
// As upstream's SetDeploymentCondition: no change when status and reason are
// the same; lastTransitionTime kept when only the reason changes.
void setCondition(json::object& status, json::object condition);
void removeCondition(json::object& status, std::string_view type);

// spec.progressDeadlineSeconds is set and not MaxInt32.
bool hasProgressDeadline(const json::object& d);
// The deployment's status computed from its ReplicaSets (replica counts,
// observedGeneration, collisionCount, the Available condition).
json::object calculateStatus(const RsList& allRSs, const RsPtr& newRS, const json::object& d);
bool deploymentComplete(const json::object& d, const json::object& status);
// More updated, ready or available replicas, or fewer old ones, than d.status.
bool deploymentProgressing(const json::object& d, const json::object& status);
bool deploymentTimedOut(const json::object& d, const json::object& status,
                        std::chrono::system_clock::time_point now);

}  // namespace kcpp::controllers::deployment
