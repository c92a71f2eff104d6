#pragma once
// NodeInfo: a node as the scheduler sees it (allocatable, taints, labels,
// images) with the pods on it and what they request, kept up to date by the
// cache as pods are assumed, bound and removed.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "scheduler/framework/pod_info.h"

namespace kcpp::scheduler {

struct NodeInfo {
  ObjectPtr object;  // null while only pods name the node (node not seen yet)
  std::string name;
  Labels labels;
  Resources allocatable;
  std::vector<Taint> taints;
  bool unschedulable = false;
  std::map<std::string, std::int64_t> imageSizes;  // every name of each image → size

  std::vector<PodInfoPtr> pods;
  Resources requested;
  Resources nonZeroRequested;
  std::vector<HostPort> usedPorts;
  int podsWithAffinity = 0;
  int podsWithRequiredAntiAffinity = 0;
  std::uint64_t generation = 0;

  void addPod(PodInfoPtr pod);
  // False when no pod with that key is here.
  bool removePod(const std::string& key);
};
using NodeInfoPtr = std::shared_ptr<NodeInfo>;

// Fills the node fields of `info` (not its pods) from a v1 Node.
void setNode(NodeInfo& info, ObjectPtr node);

// What one scheduling cycle sees: every node, plus cluster-wide facts.
struct Snapshot {
  std::vector<const NodeInfo*> nodes;
  std::map<std::string, int> imageNodeCounts;  // image name → nodes holding it
  int podsWithAffinity = 0;
  int podsWithRequiredAntiAffinity = 0;
  std::map<std::string, const NodeInfo*> byName;
  const NodeInfo* find(const std::string& name) const;
};

}  // namespace kcpp::scheduler
