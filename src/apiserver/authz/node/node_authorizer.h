#pragma once
// NodeAuthorizer: upstream's Node authorizer (with AuthorizeNodeWithSelectors, on
// by default in v1.33). It only speaks for users system:node:<name> in the group
// system:nodes; everyone else gets NoOpinion. Secrets, configmaps, PVCs, PVs,
// resource claims and service-account tokens: only objects the graph relates to
// the node. Leases: its own, in kube-node-lease. Nodes: read its own; create,
// update and patch (NodeRestriction admission limits those to itself). Pods: get
// related pods, list/watch with spec.nodeName=<itself>, create/delete (mirror
// pods), status and eviction. Anything else: the node rules (the system:node
// ClusterRole's rules, passed in). Reasons are upstream's.

#include <optional>
#include <string>
#include <vector>

#include "apiserver/authz/authorizer.h"
#include "apiserver/authz/node/node_graph.h"
#include "apiserver/authz/rbac/rbac_authorizer.h"

namespace kcpp::apiserver::node {

// Upstream's NodeIdentity: the node name of system:node:<name> in system:nodes
// (possibly empty), or nullopt when the user is not a node.
std::optional<std::string> nodeIdentity(const UserInfo& user);

class NodeAuthorizer : public Authorizer {
 public:
  NodeAuthorizer(const NodeGraph& graph, std::vector<rbac::PolicyRule> nodeRules);
  Decision authorize(const UserInfo& user, const RequestInfo& request) const override;
  Verdict decide(const UserInfo& user, const RequestInfo& request) const override;
  // Nodes' permissions cannot be listed (upstream reports incomplete with an error).
  void rulesFor(const UserInfo& user, const std::string& ns, UserRules& out) const override;

 private:
  Verdict related(const std::string& node, Vertex v, const RequestInfo& r) const;
  Verdict readNamespaced(const std::string& node, Vertex v, const RequestInfo& r) const;
  Verdict getOnly(const std::string& node, Vertex v, const RequestInfo& r) const;
  Verdict statusUpdate(const std::string& node, Vertex v, const RequestInfo& r) const;
  Verdict createToken(const std::string& node, const RequestInfo& r) const;
  Verdict lease(const std::string& node, const RequestInfo& r) const;
  Verdict csiNode(const std::string& node, const RequestInfo& r) const;
  Verdict resourceSlice(const std::string& node, const RequestInfo& r) const;
  Verdict nodeObject(const std::string& node, const RequestInfo& r) const;
  Verdict pod(const std::string& node, const RequestInfo& r) const;

  const NodeGraph& graph_;
  std::vector<rbac::PolicyRule> nodeRules_;
};

}  // namespace kcpp::apiserver::node
