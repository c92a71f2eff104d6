#pragma once
// What upstream's stateful_set_utils.go knows about a StatefulSet's pods:
// ordinal names "<set>-<i>", the identity (pod-name and pod-index labels,
// hostname, subdomain) and storage (a PVC "<template>-<set>-<i>" per
// volumeClaimTemplate) a pod must have, the revision it was made from, and the
// health tests the ordered policies wait on.

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kcpp::controllers::statefulset {

namespace json = boost::json;

inline constexpr const char* kPodNameLabel = "statefulset.kubernetes.io/pod-name";
inline constexpr const char* kPodIndexLabel = "apps.kubernetes.io/pod-index";

std::string str(const json::object& obj, std::string_view path);
std::int64_t num(const json::object& obj, std::string_view path, std::int64_t fallback = 0);

// "<parent>-<ordinal>" split; ordinal -1 when the name has no such form.
struct ParentOrdinal {
  std::string parent;
  std::int64_t ordinal = -1;
};
ParentOrdinal parentAndOrdinal(const std::string& podName);

std::int64_t startOrdinal(const json::object& set);   // spec.ordinals.start
std::int64_t replicaCount(const json::object& set);   // spec.replicas (default 1)
bool allowsBurst(const json::object& set);            // podManagementPolicy Parallel
bool isOnDelete(const json::object& set);
std::int64_t partition(const json::object& set);      // rollingUpdate.partition (default 0)

std::string podName(const json::object& set, std::int64_t ordinal);
std::string claimName(const json::object& claimTemplate, const json::object& set, std::int64_t ordinal);
std::vector<json::object> claimTemplates(const json::object& set);
// The PVCs a pod of `set` at `ordinal` uses, as they are created.
std::vector<json::object> claimsFor(const json::object& set, std::int64_t ordinal);

// A new pod for `ordinal` from set's template (upstream's newStatefulSetPod),
// labelled with `revision` (controller-revision-hash).
json::object newStatefulSetPod(const json::object& set, std::int64_t ordinal, const std::string& revision);
std::string podRevision(const json::object& pod);

bool identityMatches(const json::object& set, const json::object& pod);
bool storageMatches(const json::object& set, const json::object& pod);
// Sets the identity labels, hostname and subdomain.
void updateIdentity(const json::object& set, json::object& pod);

bool isCreated(const json::object& pod);  // came from the API (has a uid)
bool isTerminating(const json::object& pod);
bool isFailed(const json::object& pod);
bool isSucceeded(const json::object& pod);
bool isRunningAndReady(const json::object& pod);
// Running and ready for minReadySeconds at `now`.
bool isRunningAndAvailable(const json::object& pod, std::int64_t minReadySeconds,
                           std::chrono::system_clock::time_point now);
bool isHealthy(const json::object& pod);  // running and ready, not terminating

// The set with spec.template replaced by the one a revision restores.
json::object applyRevision(const json::object& set, const json::object& revision);

}  // namespace kcpp::controllers::statefulset
