#include "scheduler/cache.h"

namespace kcpp::scheduler {

void Cache::addNode(ObjectPtr node) {
  std::string name(node->at("metadata").as_object().at("name").as_string());
  NodeInfoPtr& info = nodes_[name];
  if (!info) info = std::make_shared<NodeInfo>();
  bool wasKnown = info->object != nullptr;
  setNode(*info, std::move(node));
  if (!wasKnown) nodesChanged_ = true;
  imagesChanged_ = true;
}

void Cache::removeNode(const std::string& name) {
  auto it = nodes_.find(name);
  if (it == nodes_.end()) return;
  if (it->second->pods.empty()) {
    nodes_.erase(it);
  } else {
    it->second->object = nullptr;  // kept for its pods until they go
  }
  nodesChanged_ = true;
  imagesChanged_ = true;
}

void Cache::place(PodInfoPtr pod) {
  NodeInfoPtr& info = nodes_[pod->nodeName];
  if (!info) {
    info = std::make_shared<NodeInfo>();
    info->name = pod->nodeName;
  }
  podNode_[pod->key] = pod->nodeName;
  info->addPod(std::move(pod));
}

void Cache::unplace(const std::string& key) {
  auto it = podNode_.find(key);
  if (it == podNode_.end()) return;
  auto node = nodes_.find(it->second);
  if (node != nodes_.end()) {
    node->second->removePod(key);
    if (!node->second->object && node->second->pods.empty()) nodes_.erase(node);
  }
  podNode_.erase(it);
}

void Cache::addPod(PodInfoPtr pod) {
  // Confirming an assumed pod, or a newer version of a known one: replace it.
  assumed_.erase(pod->key);
  unplace(pod->key);
  place(std::move(pod));
}

void Cache::removePod(const std::string& key) {
  assumed_.erase(key);
  unplace(key);
}

void Cache::assumePod(PodInfoPtr pod) {
  assumed_.insert(pod->key);
  unplace(pod->key);
  place(std::move(pod));
}

void Cache::forgetPod(const std::string& key) {
  if (assumed_.erase(key) == 0) return;
  unplace(key);
}

const Snapshot& Cache::snapshot() {
  if (nodesChanged_) {
    snapshot_.nodes.clear();
    snapshot_.byName.clear();
    for (const auto& [name, info] : nodes_) {
      if (!info->object) continue;
      snapshot_.nodes.push_back(info.get());
      snapshot_.byName[name] = info.get();
    }
    nodesChanged_ = false;
  }
  if (imagesChanged_) {
    snapshot_.imageNodeCounts.clear();
    for (const NodeInfo* n : snapshot_.nodes) {
      for (const auto& [image, size] : n->imageSizes) ++snapshot_.imageNodeCounts[image];
    }
    imagesChanged_ = false;
  }
  snapshot_.podsWithAffinity = 0;
  snapshot_.podsWithRequiredAntiAffinity = 0;
  for (const NodeInfo* n : snapshot_.nodes) {
    snapshot_.podsWithAffinity += n->podsWithAffinity;
    snapshot_.podsWithRequiredAntiAffinity += n->podsWithRequiredAntiAffinity;
  }
  return snapshot_;
}

std::size_t Cache::nodeCount() const {
  std::size_t n = 0;
  for (const auto& [name, info] : nodes_) n += info->object != nullptr;
  return n;
}

NodeInfo* Cache::node(const std::string& name) {
  auto it = nodes_.find(name);
  return it == nodes_.end() ? nullptr : it->second.get();
}

}  // namespace kcpp::scheduler
