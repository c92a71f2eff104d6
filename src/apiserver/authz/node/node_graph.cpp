#include "apiserver/authz/node/node_graph.h"

#include <mutex>

namespace kcpp::apiserver::node {

namespace {

const json::object* objectAt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

const json::array* arrayAt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_array() ? &v->get_array() : nullptr;
}

std::string stringAt(const json::object* o, std::string_view key) {
  if (!o) return {};
  const json::value* v = o->if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// `path` through nested objects, then the string field at its end.
std::string nested(const json::object& o, std::initializer_list<std::string_view> path) {
  const json::object* at = &o;
  auto it = path.begin();
  for (; std::next(it) != path.end(); ++it) {
    at = objectAt(*at, *it);
    if (!at) return {};
  }
  return stringAt(at, *it);
}

struct Refs {
  std::string ns;
  std::vector<std::string> out;
  void add(Vertex v, const std::string& name) {
    if (!name.empty()) out.push_back(vertexKey(v, ns, name));
  }
};

void containerRefs(const json::object& c, Refs& refs) {
  if (const json::array* env = arrayAt(c, "env")) {
    for (const auto& e : *env) {
      if (!e.is_object()) continue;
      refs.add(Vertex::Secret, nested(e.get_object(), {"valueFrom", "secretKeyRef", "name"}));
      refs.add(Vertex::ConfigMap, nested(e.get_object(), {"valueFrom", "configMapKeyRef", "name"}));
    }
  }
  if (const json::array* envFrom = arrayAt(c, "envFrom")) {
    for (const auto& e : *envFrom) {
      if (!e.is_object()) continue;
      refs.add(Vertex::Secret, nested(e.get_object(), {"secretRef", "name"}));
      refs.add(Vertex::ConfigMap, nested(e.get_object(), {"configMapRef", "name"}));
    }
  }
}

// Volume sources that name a secret through secretRef.name.
constexpr std::string_view kSecretRefSources[] = {"cephfs", "cinder", "flexVolume", "iscsi",
                                                  "rbd", "scaleIO", "storageos"};

void volumeRefs(const json::object& vol, const std::string& podName, Refs& refs) {
  refs.add(Vertex::Secret, nested(vol, {"secret", "secretName"}));
  refs.add(Vertex::Secret, nested(vol, {"azureFile", "secretName"}));
  refs.add(Vertex::Secret, nested(vol, {"csi", "nodePublishSecretRef", "name"}));
  for (std::string_view source : kSecretRefSources) {
    refs.add(Vertex::Secret, nested(vol, {source, "secretRef", "name"}));
  }
  refs.add(Vertex::ConfigMap, nested(vol, {"configMap", "name"}));
  if (const json::object* projected = objectAt(vol, "projected")) {
    if (const json::array* sources = arrayAt(*projected, "sources")) {
      for (const auto& s : *sources) {
        if (!s.is_object()) continue;
        refs.add(Vertex::Secret, nested(s.get_object(), {"secret", "name"}));
        refs.add(Vertex::ConfigMap, nested(s.get_object(), {"configMap", "name"}));
      }
    }
  }
  refs.add(Vertex::Pvc, nested(vol, {"persistentVolumeClaim", "claimName"}));
  if (vol.contains("ephemeral")) refs.add(Vertex::Pvc, podName + "-" + stringAt(&vol, "name"));
}

// PV volume sources name secrets with their namespace.
void pvSecretRefs(const json::object& spec, std::set<std::string>& out) {
  auto add = [&](const json::object* ref, std::string_view nsKey = "namespace",
                 std::string_view nameKey = "name") {
    std::string name = stringAt(ref, nameKey);
    std::string ns = stringAt(ref, nsKey);
    if (!name.empty()) out.insert(vertexKey(Vertex::Secret, ns, name));
  };
  if (const json::object* csi = objectAt(spec, "csi")) {
    for (std::string_view k : {"controllerPublishSecretRef", "nodePublishSecretRef",
                               "nodeStageSecretRef", "controllerExpandSecretRef",
                               "nodeExpandSecretRef"}) {
      add(objectAt(*csi, k));
    }
  }
  for (std::string_view source : kSecretRefSources) {
    if (const json::object* s = objectAt(spec, source)) add(objectAt(*s, "secretRef"));
  }
  if (const json::object* azure = objectAt(spec, "azureFile")) {
    add(azure, "secretNamespace", "secretName");
  }
}

std::string metaField(const json::object& obj, std::string_view key) {
  return stringAt(objectAt(obj, "metadata"), key);
}

}  // namespace

std::string vertexKey(Vertex v, const std::string& ns, const std::string& name) {
  static constexpr const char* names[] = {"pod", "secret", "configmap", "pvc", "pv",
                                          "serviceaccount", "resourceclaim"};
  return std::string(names[static_cast<int>(v)]) + "/" + ns + "/" + name;
}

std::vector<std::string> podReferences(const json::object& pod) {
  Refs refs;
  refs.ns = metaField(pod, "namespace");
  std::string podName = metaField(pod, "name");
  const json::object* spec = objectAt(pod, "spec");
  if (!spec) return {};
  if (const json::array* pull = arrayAt(*spec, "imagePullSecrets")) {
    for (const auto& s : *pull) {
      if (s.is_object()) refs.add(Vertex::Secret, stringAt(&s.get_object(), "name"));
    }
  }
  for (std::string_view list : {"initContainers", "containers", "ephemeralContainers"}) {
    if (const json::array* cs = arrayAt(*spec, list)) {
      for (const auto& c : *cs) {
        if (c.is_object()) containerRefs(c.get_object(), refs);
      }
    }
  }
  if (const json::array* vols = arrayAt(*spec, "volumes")) {
    for (const auto& v : *vols) {
      if (v.is_object()) volumeRefs(v.get_object(), podName, refs);
    }
  }
  refs.add(Vertex::ServiceAccount, stringAt(spec, "serviceAccountName"));
  if (const json::array* claims = arrayAt(*spec, "resourceClaims")) {
    for (const auto& c : *claims) {
      if (c.is_object()) refs.add(Vertex::ResourceClaim, stringAt(&c.get_object(), "resourceClaimName"));
    }
  }
  const json::object* status = objectAt(pod, "status");
  if (const json::array* claims = status ? arrayAt(*status, "resourceClaimStatuses") : nullptr) {
    for (const auto& c : *claims) {
      if (c.is_object()) refs.add(Vertex::ResourceClaim, stringAt(&c.get_object(), "resourceClaimName"));
    }
  }
  return std::move(refs.out);
}

void NodeGraph::dropPod(const std::string& podKey) {
  auto it = pods_.find(podKey);
  if (it == pods_.end()) return;
  auto node = byNode_.find(it->second.node);
  if (node != byNode_.end()) {
    for (const auto& ref : it->second.refs) {
      auto count = node->second.find(ref);
      if (count != node->second.end() && --count->second <= 0) node->second.erase(count);
    }
    if (node->second.empty()) byNode_.erase(node);
  }
  pods_.erase(it);
}

void NodeGraph::upsertPod(const json::object& pod) {
  std::string ns = metaField(pod, "namespace");
  std::string name = metaField(pod, "name");
  std::string nodeName = stringAt(objectAt(pod, "spec"), "nodeName");
  std::string key = ns + "/" + name;
  std::unique_lock lock(mu_);
  dropPod(key);
  if (nodeName.empty()) return;  // not bound: relates to no node yet
  PodEntry entry{nodeName, podReferences(pod)};
  entry.refs.push_back(vertexKey(Vertex::Pod, ns, name));
  auto& counts = byNode_[nodeName];
  for (const auto& ref : entry.refs) ++counts[ref];
  pods_[key] = std::move(entry);
}

void NodeGraph::removePod(const std::string& ns, const std::string& name) {
  std::unique_lock lock(mu_);
  dropPod(ns + "/" + name);
}

void NodeGraph::upsertPvc(const json::object& pvc) {
  std::string key = metaField(pvc, "namespace") + "/" + metaField(pvc, "name");
  std::string volume = stringAt(objectAt(pvc, "spec"), "volumeName");
  std::unique_lock lock(mu_);
  if (volume.empty()) {
    pvcVolume_.erase(key);
  } else {
    pvcVolume_[key] = volume;
  }
}

void NodeGraph::removePvc(const std::string& ns, const std::string& name) {
  std::unique_lock lock(mu_);
  pvcVolume_.erase(ns + "/" + name);
}

void NodeGraph::upsertPv(const json::object& pv) {
  std::set<std::string> secrets;
  if (const json::object* spec = objectAt(pv, "spec")) pvSecretRefs(*spec, secrets);
  std::string name = metaField(pv, "name");
  std::unique_lock lock(mu_);
  if (secrets.empty()) {
    pvSecrets_.erase(name);
  } else {
    pvSecrets_[name] = std::move(secrets);
  }
}

void NodeGraph::removePv(const std::string& name) {
  std::unique_lock lock(mu_);
  pvSecrets_.erase(name);
}

void NodeGraph::clear(Source source) {
  std::unique_lock lock(mu_);
  switch (source) {
    case Source::Pods:
      pods_.clear();
      byNode_.clear();
      return;
    case Source::Pvcs:
      pvcVolume_.clear();
      return;
    case Source::Pvs:
      pvSecrets_.clear();
      return;
  }
}

bool NodeGraph::related(const std::string& nodeName, Vertex v, const std::string& ns,
                        const std::string& name) const {
  std::shared_lock lock(mu_);
  auto node = byNode_.find(nodeName);
  if (node == byNode_.end()) return false;
  const auto& refs = node->second;
  if (v != Vertex::Pv && refs.count(vertexKey(v, ns, name))) return true;
  if (v != Vertex::Pv && v != Vertex::Secret) return false;
  // Through the node's PVCs to their PVs (and the PVs' secrets).
  const std::string secretKey = vertexKey(Vertex::Secret, ns, name);
  for (const auto& [ref, count] : refs) {
    if (!ref.starts_with("pvc/")) continue;
    auto volume = pvcVolume_.find(ref.substr(4));
    if (volume == pvcVolume_.end()) continue;
    if (v == Vertex::Pv && volume->second == name) return true;
    if (v == Vertex::Secret) {
      auto secrets = pvSecrets_.find(volume->second);
      if (secrets != pvSecrets_.end() && secrets->second.count(secretKey)) return true;
    }
  }
  return false;
}

}  // namespace kcpp::apiserver::node
