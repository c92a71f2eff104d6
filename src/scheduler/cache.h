#pragma once
// Cache: the nodes and the pods bound (or about to be) to them, as the
// scheduler needs them (upstream's internal/cache). A pod is *assumed* on its
// node as soon as the scheduler picks it, before the asynchronous bind ends,
// so that the next cycles see its resources taken; the bind's failure forgets
// it, and the informer's sight of the bound pod confirms it.
//
// Not thread-safe: use on the scheduler's executor.

#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>

#include "scheduler/framework/node_info.h"

namespace kcpp::scheduler {

class Cache {
 public:
  void addNode(ObjectPtr node);
  void updateNode(ObjectPtr node) { addNode(std::move(node)); }
  void removeNode(const std::string& name);

  // An assigned pod the informer delivered (confirms an assumed one).
  void addPod(PodInfoPtr pod);
  void updatePod(PodInfoPtr pod) { addPod(std::move(pod)); }
  void removePod(const std::string& key);

  // `pod` has nodeName set to the chosen node.
  void assumePod(PodInfoPtr pod);
  // The bind failed: take the assumed pod back off its node.
  void forgetPod(const std::string& key);
  bool isAssumed(const std::string& key) const { return assumed_.count(key) > 0; }
  bool hasPod(const std::string& key) const { return podNode_.count(key) > 0; }

  // The nodes (those the API has; ordered by name) and cluster-wide facts.
  const Snapshot& snapshot();
  std::size_t nodeCount() const;
  NodeInfo* node(const std::string& name);

 private:
  void place(PodInfoPtr pod);
  void unplace(const std::string& key);

  std::map<std::string, NodeInfoPtr> nodes_;  // also nodes only pods name
  std::unordered_map<std::string, std::string> podNode_;  // pod key → node
  std::set<std::string> assumed_;
  Snapshot snapshot_;
  bool nodesChanged_ = true;   // the node list must be rebuilt
  bool imagesChanged_ = true;  // image counts must be recounted
};

}  // namespace kcpp::scheduler
