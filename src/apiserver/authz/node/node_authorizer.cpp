#include "apiserver/authz/node/node_authorizer.h"

namespace kcpp::apiserver::node {

namespace {

constexpr std::string_view kNodeUserPrefix = "system:node:";

Verdict allow() { return Verdict{Decision::Allow, ""}; }
Verdict noOpinion(std::string reason = "") { return Verdict{Decision::NoOpinion, std::move(reason)}; }

bool oneOf(const std::string& verb, std::initializer_list<std::string_view> verbs) {
  for (auto v : verbs) {
    if (verb == v) return true;
  }
  return false;
}

}  // namespace

std::optional<std::string> nodeIdentity(const UserInfo& user) {
  if (!user.name.starts_with(kNodeUserPrefix) || !user.inGroup("system:nodes")) return std::nullopt;
  return user.name.substr(kNodeUserPrefix.size());
}

NodeAuthorizer::NodeAuthorizer(const NodeGraph& graph, std::vector<rbac::PolicyRule> nodeRules)
    : graph_(graph), nodeRules_(std::move(nodeRules)) {}

Decision NodeAuthorizer::authorize(const UserInfo& user, const RequestInfo& request) const {
  return decide(user, request).decision;
}

void NodeAuthorizer::rulesFor(const UserInfo& user, const std::string&, UserRules& out) const {
  if (!nodeIdentity(user)) return;
  out.incomplete = true;
  out.errors.push_back("node authorizer does not support user rule resolution");
}

Verdict NodeAuthorizer::decide(const UserInfo& user, const RequestInfo& r) const {
  auto node = nodeIdentity(user);
  if (!node) return noOpinion();
  if (node->empty()) return noOpinion("unknown node for user \"" + user.name + "\"");
  if (r.isResourceRequest) {
    const std::string& g = r.apiGroup;
    const std::string& res = r.resource;
    if (g.empty() && res == "secrets") return readNamespaced(*node, Vertex::Secret, r);
    if (g.empty() && res == "configmaps") return readNamespaced(*node, Vertex::ConfigMap, r);
    if (g.empty() && res == "persistentvolumeclaims") {
      return r.subresource == "status" ? statusUpdate(*node, Vertex::Pvc, r)
                                       : getOnly(*node, Vertex::Pvc, r);
    }
    if (g.empty() && res == "persistentvolumes") return getOnly(*node, Vertex::Pv, r);
    if (g == "resource.k8s.io" && res == "resourceclaims") {
      return getOnly(*node, Vertex::ResourceClaim, r);
    }
    if (g == "storage.k8s.io" && res == "volumeattachments") {
      // kcpp's graph has no volume attachments yet: nothing is related.
      if (r.verb != "get") return noOpinion("can only get individual resources of this type");
      if (!r.subresource.empty()) return noOpinion("cannot get subresource");
      return noOpinion("no relationship found between node '" + *node + "' and this object");
    }
    if (g.empty() && res == "serviceaccounts") return createToken(*node, r);
    if (g == "coordination.k8s.io" && res == "leases") return lease(*node, r);
    if (g == "storage.k8s.io" && res == "csinodes") return csiNode(*node, r);
    if (g == "resource.k8s.io" && res == "resourceslices") return resourceSlice(*node, r);
    if (g.empty() && res == "nodes") return nodeObject(*node, r);
    if (g.empty() && res == "pods") return pod(*node, r);
  }
  for (const auto& rule : nodeRules_) {
    if (rbac::ruleAllows(r, rule)) return allow();
  }
  return noOpinion();
}

Verdict NodeAuthorizer::related(const std::string& node, Vertex v, const RequestInfo& r) const {
  if (r.name.empty()) return noOpinion("No Object name found");
  if (!graph_.related(node, v, r.namespace_, r.name)) {
    return noOpinion("no relationship found between node '" + node + "' and this object");
  }
  return allow();
}

Verdict NodeAuthorizer::readNamespaced(const std::string& node, Vertex v,
                                       const RequestInfo& r) const {
  if (!oneOf(r.verb, {"get", "list", "watch"})) return noOpinion("can only read resources of this type");
  if (!r.subresource.empty()) return noOpinion("cannot read subresource");
  if (r.namespace_.empty()) return noOpinion("can only read namespaced object of this type");
  return related(node, v, r);
}

Verdict NodeAuthorizer::getOnly(const std::string& node, Vertex v, const RequestInfo& r) const {
  if (r.verb != "get") return noOpinion("can only get individual resources of this type");
  if (!r.subresource.empty()) return noOpinion("cannot get subresource");
  return related(node, v, r);
}

Verdict NodeAuthorizer::statusUpdate(const std::string& node, Vertex v,
                                     const RequestInfo& r) const {
  if (!oneOf(r.verb, {"update", "patch"})) return noOpinion("can only get/update/patch this type");
  if (r.subresource != "status") return noOpinion("can only update status subresource");
  return related(node, v, r);
}

Verdict NodeAuthorizer::createToken(const std::string& node, const RequestInfo& r) const {
  if (r.verb != "create" || r.name.empty()) {
    return noOpinion("can only create tokens for individual service accounts");
  }
  if (r.subresource != "token") return noOpinion("can only create token subresource of serviceaccount");
  return related(node, Vertex::ServiceAccount, r);
}

Verdict NodeAuthorizer::lease(const std::string& node, const RequestInfo& r) const {
  if (!oneOf(r.verb, {"get", "create", "update", "patch", "delete"})) {
    return noOpinion("can only get, create, update, patch, or delete a node lease");
  }
  if (r.namespace_ != "kube-node-lease") {
    return noOpinion("can only access leases in the \"kube-node-lease\" system namespace");
  }
  // The name of a create is not known here; NodeRestriction checks it.
  if (r.verb != "create" && r.name != node) {
    return noOpinion("can only access node lease with the same name as the requesting node");
  }
  return allow();
}

Verdict NodeAuthorizer::csiNode(const std::string& node, const RequestInfo& r) const {
  if (!oneOf(r.verb, {"get", "create", "update", "patch", "delete"})) {
    return noOpinion("can only get, create, update, patch, or delete a CSINode");
  }
  if (!r.subresource.empty()) return noOpinion("cannot authorize CSINode subresources");
  if (r.verb != "create" && r.name != node) {
    return noOpinion("can only access CSINode with the same name as the requesting node");
  }
  return allow();
}

Verdict NodeAuthorizer::resourceSlice(const std::string& node, const RequestInfo& r) const {
  if (!r.subresource.empty()) return noOpinion("cannot authorize ResourceSlice subresources");
  if (r.verb == "create") return allow();
  if (oneOf(r.verb, {"get", "update", "patch", "delete"})) {
    // kcpp's graph does not hold resource slices: none is related yet.
    return noOpinion("no relationship found between node '" + node + "' and this object");
  }
  if (oneOf(r.verb, {"watch", "list", "deletecollection"})) {
    if (fieldSelectorExactMatch(r.fieldSelector, "nodeName") == node) return allow();
    return noOpinion("can only list/watch/deletecollection resourceslices with nodeName field selector");
  }
  return noOpinion("only the following verbs are allowed for a ResourceSlice: get, watch, list, "
                   "create, update, patch, delete, deletecollection");
}

Verdict NodeAuthorizer::nodeObject(const std::string& node, const RequestInfo& r) const {
  if (r.subresource.empty()) {
    // NodeRestriction limits create/update/patch to the node's own object.
    if (oneOf(r.verb, {"create", "update", "patch"})) return allow();
    if (oneOf(r.verb, {"get", "list", "watch"})) {
      if (r.name == node) return allow();
      if (r.name.empty()) return noOpinion("node '" + node + "' cannot read all nodes, only its own Node object");
      return noOpinion("node '" + node + "' cannot read '" + r.name + "', only its own Node object");
    }
  } else if (r.subresource == "status" && oneOf(r.verb, {"update", "patch"})) {
    return allow();
  }
  return noOpinion();
}

Verdict NodeAuthorizer::pod(const std::string& node, const RequestInfo& r) const {
  if (r.subresource.empty()) {
    if (r.verb == "get") return getOnly(node, Vertex::Pod, r);
    if (oneOf(r.verb, {"list", "watch"})) {
      if (fieldSelectorExactMatch(r.fieldSelector, "spec.nodeName") == node) return allow();
      if (!r.name.empty()) return related(node, Vertex::Pod, r);
      return noOpinion("can only list/watch pods with spec.nodeName field selector");
    }
    // Mirror pods; NodeRestriction limits them to pods bound to the node.
    if (oneOf(r.verb, {"create", "delete"})) return allow();
  } else if (r.subresource == "status" && oneOf(r.verb, {"update", "patch"})) {
    return allow();
  } else if (r.subresource == "eviction" && r.verb == "create") {
    return allow();
  }
  return noOpinion();
}

}  // namespace kcpp::apiserver::node
