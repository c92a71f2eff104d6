#include "apiserver/admission/noderestriction/node_restriction.h"

#include <algorithm>
#include <set>

#include "api/meta/object.h"
#include "apiserver/authz/node/node_authorizer.h"

namespace kcpp::apiserver::admission {

namespace {

const json::object* objectAt(const json::object* o, std::string_view key) {
  if (!o) return nullptr;
  const json::value* v = o->if_contains(key);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

const json::value* valueAt(const json::object* o, std::string_view key) {
  return o ? o->if_contains(key) : nullptr;
}

std::string stringAt(const json::object* o, std::string_view key) {
  const json::value* v = valueAt(o, key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

const json::object* labelsOf(const json::object* obj) {
  return objectAt(objectAt(obj, "metadata"), "labels");
}

std::string nodeNameOf(const json::object* pod) { return stringAt(objectAt(pod, "spec"), "nodeName"); }

std::string labelNamespace(const std::string& key) {
  auto slash = key.find('/');
  return slash == std::string::npos ? "" : key.substr(0, slash);
}

bool inDomain(const std::string& ns, std::string_view domain) {
  return ns == domain || ns.ends_with("." + std::string(domain));
}

// k8s.io/kubelet's IsKubeletLabel.
bool isKubeletLabel(const std::string& key) {
  static const std::set<std::string> labels = {
      "kubernetes.io/hostname", "topology.kubernetes.io/zone", "topology.kubernetes.io/region",
      "failure-domain.beta.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/region",
      "beta.kubernetes.io/instance-type", "node.kubernetes.io/instance-type",
      "kubernetes.io/os", "kubernetes.io/arch", "beta.kubernetes.io/os", "beta.kubernetes.io/arch"};
  if (labels.count(key)) return true;
  std::string ns = labelNamespace(key);
  return inDomain(ns, "kubelet.kubernetes.io") || inDomain(ns, "node.kubernetes.io");
}

bool isKubernetesLabel(const std::string& key) {
  std::string ns = labelNamespace(key);
  return inDomain(ns, "kubernetes.io") || inDomain(ns, "k8s.io");
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

std::string q(const std::string& s) { return "\"" + s + "\""; }

bool isMirrorPod(const json::object* pod) {
  const json::object* annotations = objectAt(objectAt(pod, "metadata"), "annotations");
  return annotations && annotations->contains("kubernetes.io/config.mirror");
}

// Whether any container or volume of the pod names a secret, or a configmap.
bool podReferences(const json::object& pod, std::string_view prefix) {
  // The Node authorizer's graph already knows how to list a pod's references.
  json::object bound = pod;
  for (const auto& ref : node::podReferences(bound)) {
    if (ref.starts_with(prefix)) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> modifiedLabels(const json::object* a, const json::object* b) {
  std::set<std::string> out;
  auto diff = [&](const json::object* x, const json::object* y) {
    if (!x) return;
    for (const auto& kv : *x) {
      const json::value* other = y ? y->if_contains(kv.key()) : nullptr;
      if (!other || *other != kv.value()) out.insert(std::string(kv.key()));
    }
  };
  diff(a, b);
  diff(b, a);
  return {out.begin(), out.end()};
}

std::vector<std::string> forbiddenNodeLabels(const std::vector<std::string>& modified) {
  std::vector<std::string> out;
  for (const auto& key : modified) {
    bool restricted = inDomain(labelNamespace(key), "node-restriction.kubernetes.io");
    if (restricted || (isKubernetesLabel(key) && !isKubeletLabel(key))) out.push_back(key);
  }
  return out;
}

boost::asio::awaitable<Result<void>> NodeRestriction::validate(const Attributes& attrs) {
  if (!attrs.user) co_return Result<void>{};
  auto node = node::nodeIdentity(*attrs.user);
  if (!node) co_return Result<void>{};
  if (node->empty()) {
    co_return forbidden(attrs, "could not determine node from user \"" + attrs.user->name + "\"");
  }
  if (attrs.is("", "pods")) co_return co_await pod(*node, attrs);
  if (attrs.is("", "nodes")) co_return nodeObject(*node, attrs);
  if (attrs.is("", "persistentvolumeclaims")) {
    if (attrs.subresource == "status") co_return pvcStatus(*node, attrs);
    co_return forbidden(attrs, "may only update PVC status");
  }
  if (attrs.is("coordination.k8s.io", "leases")) co_return lease(*node, attrs);
  if (attrs.is("storage.k8s.io", "csinodes")) co_return csiNode(*node, attrs);
  co_return Result<void>{};
}

boost::asio::awaitable<Result<void>> NodeRestriction::pod(const std::string& node,
                                                          const Attributes& attrs) {
  if (attrs.subresource == "status") co_return podStatus(node, attrs);
  if (!attrs.subresource.empty()) {
    co_return forbidden(attrs, "unexpected pod subresource " + q(attrs.subresource) +
                                   ", only 'status' and 'eviction' are allowed");
  }
  if (attrs.operation == Operation::Create) co_return co_await podCreate(node, attrs);
  if (attrs.operation == Operation::Delete) {
    // The stored pod (the attributes' object on delete).
    if (nodeNameOf(attrs.oldObject ? attrs.oldObject : attrs.object) != node) {
      co_return forbidden(attrs, "node " + q(node) + " can only delete pods with spec.nodeName set to itself");
    }
    co_return Result<void>{};
  }
  co_return forbidden(attrs, "unexpected operation " + q(std::string(operationName(attrs.operation))) +
                                 ", node " + q(node) + " can only create and delete mirror pods");
}

boost::asio::awaitable<Result<void>> NodeRestriction::podCreate(const std::string& node,
                                                                const Attributes& attrs) {
  const json::object* pod = attrs.object;
  std::string n = q(node);
  if (!isMirrorPod(pod)) {
    co_return forbidden(attrs, "pod does not have \"kubernetes.io/config.mirror\" annotation, node " +
                                   n + " can only create mirror pods");
  }
  if (nodeNameOf(pod) != node) {
    co_return forbidden(attrs, "node " + n + " can only create pods with spec.nodeName set to itself");
  }
  const json::value* owners = valueAt(objectAt(pod, "metadata"), "ownerReferences");
  std::size_t count = owners && owners->is_array() ? owners->get_array().size() : 0;
  if (count > 1) {
    co_return forbidden(attrs, "node " + n + " can only create pods with a single owner reference set to itself");
  }
  if (count == 0) {
    co_return forbidden(attrs, "node " + n + " can only create pods with an owner reference set to itself");
  }
  const json::object* owner = owners->get_array()[0].is_object() ? &owners->get_array()[0].get_object() : nullptr;
  if (stringAt(owner, "apiVersion") != "v1" || stringAt(owner, "kind") != "Node" ||
      stringAt(owner, "name") != node) {
    co_return forbidden(attrs, "node " + n + " can only create pods with an owner reference set to itself");
  }
  const json::value* controller = valueAt(owner, "controller");
  if (!controller || !controller->is_bool() || !controller->get_bool()) {
    co_return forbidden(attrs, "node " + n + " can only create pods with a controller owner reference set to itself");
  }
  const json::value* block = valueAt(owner, "blockOwnerDeletion");
  if (block && block->is_bool() && block->get_bool()) {
    co_return forbidden(attrs, "node " + n + " must not set blockOwnerDeletion on an owner reference");
  }
  const std::string clusterScope;
  auto found = co_await nodes_.get(clusterScope, node);
  if (!found) co_return std::move(found).error();
  auto stored = api::parseJson(*found->json);
  std::string uid = stored && stored->is_object()
                        ? stringAt(objectAt(&stored->get_object(), "metadata"), "uid")
                        : std::string();
  if (stringAt(owner, "uid") != uid) {
    co_return forbidden(attrs, "node " + node + " UID mismatch: expected " + stringAt(owner, "uid") +
                                   " got " + uid);
  }
  const json::object* spec = objectAt(pod, "spec");
  if (!stringAt(spec, "serviceAccountName").empty()) {
    co_return forbidden(attrs, "node " + n + " can not create pods that reference a service account");
  }
  if (podReferences(*pod, "secret/")) {
    co_return forbidden(attrs, "node " + n + " can not create pods that reference secrets");
  }
  if (podReferences(*pod, "configmap/")) {
    co_return forbidden(attrs, "node " + n + " can not create pods that reference configmaps");
  }
  if (const json::value* vols = valueAt(spec, "volumes"); vols && vols->is_array()) {
    for (const auto& v : vols->get_array()) {
      if (!v.is_object()) continue;
      const json::object* projected = objectAt(&v.get_object(), "projected");
      const json::value* sources = valueAt(projected, "sources");
      if (sources && sources->is_array()) {
        for (const auto& s : sources->get_array()) {
          if (s.is_object() && s.get_object().contains("clusterTrustBundle")) {
            co_return forbidden(attrs, "node " + n + " can not create pods that reference clustertrustbundles");
          }
        }
      }
    }
    for (const auto& v : vols->get_array()) {
      if (v.is_object() && v.get_object().contains("persistentVolumeClaim")) {
        co_return forbidden(attrs, "node " + n + " can not create pods that reference persistentvolumeclaims");
      }
    }
  }
  co_return Result<void>{};
}

Result<void> NodeRestriction::podStatus(const std::string& node, const Attributes& attrs) {
  if (attrs.operation != Operation::Update) {
    return forbidden(attrs, "unexpected operation " + q(std::string(operationName(attrs.operation))));
  }
  if (nodeNameOf(attrs.oldObject) != node) {
    return forbidden(attrs, "node " + q(node) + " can only update pod status for pods with spec.nodeName set to itself");
  }
  if (!modifiedLabels(labelsOf(attrs.oldObject), labelsOf(attrs.object)).empty()) {
    return forbidden(attrs, "node " + q(node) + " cannot update labels through pod status");
  }
  const json::object* oldStatus = objectAt(attrs.oldObject, "status");
  const json::object* newStatus = objectAt(attrs.object, "status");
  const json::value* oldClaims = valueAt(oldStatus, "resourceClaimStatuses");
  const json::value* newClaims = valueAt(newStatus, "resourceClaimStatuses");
  json::value none;
  if ((oldClaims ? *oldClaims : none) != (newClaims ? *newClaims : none)) {
    return forbidden(attrs, "node " + q(node) + " cannot update resource claim statues");
  }
  return {};
}

Result<void> NodeRestriction::nodeObject(const std::string& node, const Attributes& attrs) {
  if (attrs.name != node) {
    return forbidden(attrs, "node " + q(node) + " is not allowed to modify node " + q(attrs.name));
  }
  const json::object* spec = objectAt(attrs.object, "spec");
  if (attrs.operation == Operation::Create) {
    if (valueAt(spec, "configSource") && !valueAt(spec, "configSource")->is_null()) {
      return forbidden(attrs, "node " + q(node) + " is not allowed to create pods with a non-nil configSource");
    }
    auto bad = forbiddenNodeLabels(modifiedLabels(labelsOf(attrs.object), nullptr));
    if (!bad.empty()) {
      return forbidden(attrs, "node " + q(node) + " is not allowed to set the following labels: " + joined(bad));
    }
  }
  if (attrs.operation == Operation::Update) {
    const json::object* oldSpec = objectAt(attrs.oldObject, "spec");
    json::value none;
    const json::value* source = valueAt(spec, "configSource");
    const json::value* oldSource = valueAt(oldSpec, "configSource");
    if (source && !source->is_null() && *source != (oldSource ? *oldSource : none)) {
      return forbidden(attrs, "node " + q(node) + " is not allowed to update configSource to a new non-nil configSource");
    }
    const json::value* taints = valueAt(spec, "taints");
    const json::value* oldTaints = valueAt(oldSpec, "taints");
    auto emptyList = [](const json::value* v) {
      return !v || v->is_null() || (v->is_array() && v->get_array().empty());
    };
    if (!(emptyList(taints) && emptyList(oldTaints)) &&
        (taints ? *taints : none) != (oldTaints ? *oldTaints : none)) {
      return forbidden(attrs, "node " + q(node) + " is not allowed to modify taints");
    }
    auto bad = forbiddenNodeLabels(modifiedLabels(labelsOf(attrs.object), labelsOf(attrs.oldObject)));
    if (!bad.empty()) return forbidden(attrs, "is not allowed to modify labels: " + joined(bad));
  }
  return {};
}

Result<void> NodeRestriction::pvcStatus(const std::string& node, const Attributes& attrs) {
  if (attrs.operation != Operation::Update) {
    return forbidden(attrs, "unexpected operation " + q(std::string(operationName(attrs.operation))));
  }
  // Everything but status.capacity, status.conditions, the resourceVersion and
  // managedFields must stay as it was.
  auto comparable = [](const json::object* o) {
    json::object copy = o ? *o : json::object{};
    if (json::object* meta = api::findObject(copy, "metadata")) {
      meta->erase("resourceVersion");
      meta->erase("managedFields");
    }
    if (json::object* status = api::findObject(copy, "status")) {
      for (const char* k : {"capacity", "conditions", "allocatedResourceStatuses", "allocatedResources"}) {
        status->erase(k);
      }
    }
    return copy;
  };
  if (comparable(attrs.object) != comparable(attrs.oldObject)) {
    return forbidden(attrs, "node " + q(node) + " is not allowed to update fields other than "
                                                "status.capacity and status.conditions");
  }
  return {};
}

Result<void> NodeRestriction::lease(const std::string& node, const Attributes& attrs) {
  if (attrs.ns != "kube-node-lease") {
    return forbidden(attrs, "can only access leases in the \"kube-node-lease\" system namespace");
  }
  if (attrs.name != node) {
    return forbidden(attrs, "can only access node lease with the same name as the requesting node");
  }
  return {};
}

Result<void> NodeRestriction::csiNode(const std::string& node, const Attributes& attrs) {
  if (attrs.name != node) {
    return forbidden(attrs, "can only access CSINode with the same name as the requesting node");
  }
  return {};
}

}  // namespace kcpp::apiserver::admission
