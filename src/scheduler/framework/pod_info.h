#pragma once
// PodInfo: what the scheduler needs of a pod, parsed once when the informer
// delivers it, so that scheduling cycles never touch JSON.

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/selectors/label_selector.h"
#include "scheduler/framework/resources.h"

namespace kcpp::scheduler {

using ObjectPtr = std::shared_ptr<const boost::json::object>;
using Labels = selectors::Labels;

struct Taint {
  std::string key, value, effect;
};

struct Toleration {
  std::string key, op, value, effect;  // op: "Equal" (default) or "Exists"
  // v1 Toleration.ToleratesTaint.
  bool tolerates(const Taint& taint) const;
};

// A NodeSelectorRequirement (operators In, NotIn, Exists, DoesNotExist, Gt, Lt).
struct NodeSelectorRequirement {
  std::string key, op;
  std::vector<std::string> values;
  bool matches(const Labels& labels) const;
  bool matchesField(const std::string& nodeName) const;  // matchFields: metadata.name only
};

struct NodeSelectorTerm {
  std::vector<NodeSelectorRequirement> matchExpressions, matchFields;
  // A term with no requirements matches nothing, as upstream's.
  bool matches(const Labels& labels, const std::string& nodeName) const;
};

struct PreferredSchedulingTerm {
  std::int32_t weight = 0;
  NodeSelectorTerm term;
};

struct HostPort {
  std::string protocol, ip;
  std::int32_t port = 0;
};

struct PodAffinityTerm {
  selectors::LabelSelector selector;
  std::vector<std::string> namespaces;  // empty: the pod's own (unless allNamespaces)
  bool allNamespaces = false;           // namespaceSelector: {}
  std::string topologyKey;
};

struct WeightedPodAffinityTerm {
  std::int32_t weight = 0;
  PodAffinityTerm term;
};

struct TopologySpreadConstraint {
  std::int32_t maxSkew = 1;
  std::string topologyKey;
  bool doNotSchedule = true;  // whenUnsatisfiable: DoNotSchedule (else ScheduleAnyway)
  selectors::LabelSelector selector;
  std::int32_t minDomains = 1;
};

struct PodInfo {
  ObjectPtr object;
  std::string ns, name, uid, key;  // key: "ns/name"
  std::string schedulerName, nodeName, nominatedNodeName, phase;
  std::int32_t priority = 0;
  bool preemptNever = false;  // preemptionPolicy: Never
  bool terminating = false;   // deletionTimestamp set
  std::chrono::system_clock::time_point created;
  Labels labels;
  Resources requests;         // what the pod needs: max(init rule) + overhead
  Resources nonZeroRequests;  // cpu/memory with upstream's scoring defaults
  std::vector<Toleration> tolerations;
  std::map<std::string, std::string> nodeSelector;
  std::optional<std::vector<NodeSelectorTerm>> requiredNodeAffinity;
  std::vector<PreferredSchedulingTerm> preferredNodeAffinity;
  std::vector<HostPort> hostPorts;
  std::vector<std::string> images;
  std::vector<PodAffinityTerm> requiredAffinity, requiredAntiAffinity;
  std::vector<WeightedPodAffinityTerm> preferredAffinity, preferredAntiAffinity;
  std::vector<TopologySpreadConstraint> spreadConstraints;
  std::vector<std::string> claimNames;  // persistentVolumeClaim volumes

  bool hasAffinity() const {
    return !requiredAffinity.empty() || !requiredAntiAffinity.empty() ||
           !preferredAffinity.empty() || !preferredAntiAffinity.empty();
  }
  // Does `term` (of this pod, or of another pod with namespace `ownerNs`) select `other`?
  static bool termMatches(const PodAffinityTerm& term, const std::string& ownerNs,
                          const PodInfo& other);
};
using PodInfoPtr = std::shared_ptr<const PodInfo>;

PodInfoPtr parsePodInfo(ObjectPtr pod);

// A list of NodeSelectorTerms (JSON), as in node affinity or a PV's nodeAffinity.
std::vector<NodeSelectorTerm> parseNodeSelectorTerms(const boost::json::array* terms);

}  // namespace kcpp::scheduler
