#pragma once
// Which nodes a DaemonSet's pod belongs on (upstream's NodeShouldRunDaemonPod and
// the helpers it uses): the template's nodeName, nodeSelector and required node
// affinity, and the node's NoSchedule/NoExecute taints against the pod's
// tolerations plus the ones every DaemonSet pod gets. Also how the controller
// pins a pod to its node for the scheduler (a matchFields metadata.name term).

#include <boost/json.hpp>

#include <optional>
#include <string>

namespace kcpp::controllers::daemon {

namespace json = boost::json;

struct NodeFit {
  bool shouldRun = false;             // a pod should be created on the node
  bool shouldContinueRunning = false;  // an existing pod may stay
};

// Adds upstream's default DaemonSet tolerations to a pod spec (replacing an
// equal key/operator/value/effect one): not-ready and unreachable NoExecute
// without tolerationSeconds; disk-, memory-, pid-pressure and unschedulable
// NoSchedule; network-unavailable NoSchedule for hostNetwork pods.
void addDaemonTolerations(json::object& podSpec);

// upstream's v1.Toleration.ToleratesTaint.
bool toleratesTaint(const json::object& toleration, const json::object& taint);
// A NodeSelector (nodeSelectorTerms, ORed) matches the node.
bool nodeSelectorMatches(const json::value& nodeSelector, const json::object& node);

// The pod a DaemonSet would place (its template's spec with the default
// tolerations), prepared once per sync and checked against every node.
class DaemonPodSpec {
 public:
  explicit DaemonPodSpec(const json::object& daemonSet);
  NodeFit fit(const json::object& node) const;

 private:
  json::object spec_;
};

NodeFit nodeShouldRunDaemonPod(const json::object& node, const json::object& daemonSet);

// Replaces the pod's required node affinity by a single term
// matchFields metadata.name In [nodeName] (ReplaceDaemonSetPodNodeNameNodeAffinity).
void pinToNode(json::object& podSpec, const std::string& nodeName);
// spec.nodeName, else the node the pinning term names (GetTargetNodeName).
std::optional<std::string> targetNodeName(const json::object& pod);

}  // namespace kcpp::controllers::daemon
