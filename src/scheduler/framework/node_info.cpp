#include "scheduler/framework/node_info.h"

#include <algorithm>

#include "api/meta/object.h"

namespace kcpp::scheduler {

namespace json = boost::json;

void NodeInfo::addPod(PodInfoPtr pod) {
  requested.add(pod->requests);
  nonZeroRequested.add(pod->nonZeroRequests);
  for (const HostPort& p : pod->hostPorts) usedPorts.push_back(p);
  if (pod->hasAffinity()) ++podsWithAffinity;
  if (!pod->requiredAntiAffinity.empty()) ++podsWithRequiredAntiAffinity;
  pods.push_back(std::move(pod));
  ++generation;
}

bool NodeInfo::removePod(const std::string& key) {
  auto it = std::find_if(pods.begin(), pods.end(), [&](const PodInfoPtr& p) { return p->key == key; });
  if (it == pods.end()) return false;
  const PodInfo& pod = **it;
  requested.subtract(pod.requests);
  nonZeroRequested.subtract(pod.nonZeroRequests);
  for (const HostPort& p : pod.hostPorts) {
    auto used = std::find_if(usedPorts.begin(), usedPorts.end(), [&](const HostPort& u) {
      return u.port == p.port && u.protocol == p.protocol && u.ip == p.ip;
    });
    if (used != usedPorts.end()) usedPorts.erase(used);
  }
  if (pod.hasAffinity()) --podsWithAffinity;
  if (!pod.requiredAntiAffinity.empty()) --podsWithRequiredAntiAffinity;
  // Order does not matter: swap with the last.
  *it = std::move(pods.back());
  pods.pop_back();
  ++generation;
  return true;
}

void setNode(NodeInfo& info, ObjectPtr node) {
  const json::object& obj = *node;
  info.name = std::string(api::metaName(obj));
  info.labels = api::metaLabels(obj);
  const json::value* allocatable = api::findPath(obj, "status.allocatable");
  info.allocatable = parseResourceList(allocatable && allocatable->is_object() ? &allocatable->get_object() : nullptr);
  info.taints.clear();
  if (const json::value* taints = api::findPath(obj, "spec.taints"); taints && taints->is_array()) {
    for (const json::value& t : taints->get_array()) {
      if (!t.is_object()) continue;
      const json::object& o = t.get_object();
      info.taints.push_back({std::string(api::getString(o, "key")), std::string(api::getString(o, "value")),
                             std::string(api::getString(o, "effect"))});
    }
  }
  const json::value* unschedulable = api::findPath(obj, "spec.unschedulable");
  info.unschedulable = unschedulable && unschedulable->is_bool() && unschedulable->get_bool();
  info.imageSizes.clear();
  if (const json::value* images = api::findPath(obj, "status.images"); images && images->is_array()) {
    for (const json::value& image : images->get_array()) {
      if (!image.is_object()) continue;
      const json::value* size = image.get_object().if_contains("sizeBytes");
      std::int64_t bytes = size && size->is_int64() ? size->get_int64() : 0;
      const json::value* names = image.get_object().if_contains("names");
      if (!names || !names->is_array()) continue;
      for (const json::value& n : names->get_array()) {
        if (n.is_string()) info.imageSizes[std::string(n.get_string())] = bytes;
      }
    }
  }
  info.object = std::move(node);
  ++info.generation;
}

const NodeInfo* Snapshot::find(const std::string& name) const {
  auto it = byName.find(name);
  return it == byName.end() ? nullptr : it->second;
}

}  // namespace kcpp::scheduler
