#pragma once
// Taints and tolerations as upstream's controllers use them
// (k8s.io/api/core/v1 toleration.go, pkg/util/taints, v1helper): which
// toleration tolerates which taint, adding and removing taints on a node, and
// the node condition helpers the node controllers share.

#include <boost/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "client/informer/informer.h"

namespace kcpp::controllers {

namespace json = boost::json;

// Well-known taint keys (k8s.io/api/core/v1 well_known_taints.go).
inline constexpr const char* kTaintNodeNotReady = "node.kubernetes.io/not-ready";
inline constexpr const char* kTaintNodeUnreachable = "node.kubernetes.io/unreachable";
inline constexpr const char* kTaintNodeUnschedulable = "node.kubernetes.io/unschedulable";
inline constexpr const char* kTaintNodeMemoryPressure = "node.kubernetes.io/memory-pressure";
inline constexpr const char* kTaintNodeDiskPressure = "node.kubernetes.io/disk-pressure";
inline constexpr const char* kTaintNodeNetworkUnavailable = "node.kubernetes.io/network-unavailable";
inline constexpr const char* kTaintNodePIDPressure = "node.kubernetes.io/pid-pressure";
inline constexpr const char* kTaintNodeOutOfService = "node.kubernetes.io/out-of-service";

// Upstream's Toleration.ToleratesTaint.
bool tolerates(const json::object& toleration, const json::object& taint);

// Upstream's GetMatchingTolerations: whether every taint is tolerated, and the
// toleration used for each.
struct MatchedTolerations {
  bool allTolerated = true;
  std::vector<json::object> used;
};
MatchedTolerations matchingTolerations(const json::array& taints, const json::array& tolerations);

// The smallest tolerationSeconds among `tolerations` (0 if one is <= 0 or the
// list is empty); nullopt when all tolerate forever.
std::optional<std::chrono::seconds> minTolerationTime(const std::vector<json::object>& tolerations);

// spec.taints of a node (empty if none), and those with `effect`.
json::array nodeTaints(const json::object& node);
json::array taintsWithEffect(const json::array& taints, std::string_view effect);
// Same key and effect (upstream's Taint.MatchTaint).
bool sameTaint(const json::object& a, const json::object& b);
bool hasTaint(const json::array& taints, const json::object& taint);
bool hasTaintKey(const json::array& taints, std::string_view key);
json::object makeTaint(const std::string& key, const std::string& effect);

// The node's taints with `add` added or updated (timeAdded set to `now` on
// new ones) and `remove` removed; nullopt if that changes nothing.
std::optional<json::array> swapTaints(const json::array& taints, const std::vector<json::object>& add,
                                      const std::vector<json::object>& remove, const std::string& now);

// The node condition of `type`, if any.
const json::object* nodeCondition(const json::object& node, std::string_view type);
// Ready condition status "True" (upstream's IsNodeReady).
bool isNodeReady(const json::object& node);

// Indexes pods by spec.nodeName (upstream's "spec.nodeName" indexer); unbound pods are not indexed.
inline constexpr const char* kPodNodeNameIndex = "spec.nodeName";
client::IndexFunc podNodeNameIndex();

}  // namespace kcpp::controllers
