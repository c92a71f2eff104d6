#include "apiserver/admission/rbacescalation/rbac_escalation.h"

#include "api/meta/object.h"
#include "apiserver/authz/rbac/escalation.h"

namespace kcpp::apiserver::admission {

namespace {

constexpr const char* kRbacGroup = "rbac.authorization.k8s.io";

json::object withoutVolatileMeta(const json::object& obj) {
  json::object copy = obj;
  if (json::object* meta = api::findObject(copy, "metadata")) {
    for (const char* k : {"ownerReferences", "finalizers", "resourceVersion", "managedFields",
                          "generation"}) {
      meta->erase(k);
    }
  }
  return copy;
}

// What upstream grants with an aggregationRule check: everything.
std::vector<rbac::PolicyRule> fullAuthority() {
  return {rbac::PolicyRule{{"*"}, {"*"}, {"*"}, {}, {}}, rbac::PolicyRule{{"*"}, {}, {}, {}, {"*"}}};
}

const json::value* aggregationRule(const json::object* role) {
  if (!role) return nullptr;
  const json::value* v = role->if_contains("aggregationRule");
  return v && !v->is_null() ? v : nullptr;
}

}  // namespace

bool onlyGcFieldsChanged(const json::object& next, const json::object& old) {
  return withoutVolatileMeta(next) == withoutVolatileMeta(old);
}

boost::asio::awaitable<Result<void>> RbacEscalationCheck::validate(const Attributes& attrs) {
  if (attrs.group() != kRbacGroup || !attrs.user) co_return Result<void>{};
  if (attrs.operation != Operation::Create && attrs.operation != Operation::Update) {
    co_return Result<void>{};
  }
  // system:masters is the API server's own privileged group: always allowed.
  if (attrs.user->inGroup("system:masters")) co_return Result<void>{};
  if (attrs.operation == Operation::Update && attrs.oldObject &&
      onlyGcFieldsChanged(*attrs.object, *attrs.oldObject)) {
    co_return Result<void>{};
  }
  const std::string& resource = attrs.resource();
  if (resource == "roles" || resource == "clusterroles") co_return role(attrs);
  if (resource == "rolebindings" || resource == "clusterrolebindings") co_return binding(attrs);
  co_return Result<void>{};
}

bool RbacEscalationCheck::allowedVerb(const Attributes& attrs, const std::string& verb,
                                      const std::string& resource, const std::string& name,
                                      const std::string& group) const {
  RequestInfo asked;
  asked.isResourceRequest = true;
  asked.verb = verb;
  asked.apiGroup = group;
  asked.resource = resource;
  asked.name = name;
  asked.namespace_ = attrs.ns;
  return authorizer_.authorize(*attrs.user, asked) == Decision::Allow;
}

Result<void> RbacEscalationCheck::confirmNoEscalation(
    const Attributes& attrs, const std::vector<rbac::PolicyRule>& granted) const {
  std::vector<std::string> errors;
  auto owner = rules_.policyRulesFor(*attrs.user, attrs.ns, &errors);
  std::string message = rbac::escalationError(*attrs.user, owner, errors, granted);
  if (message.empty()) return {};
  return forbidden(attrs, message);
}

Result<void> RbacEscalationCheck::role(const Attributes& attrs) const {
  // Upstream asks about the request's name, which a create does not have.
  std::string name = attrs.operation == Operation::Create ? "" : attrs.name;
  if (allowedVerb(attrs, "escalate", attrs.resource(), name, kRbacGroup)) return {};
  const json::value* agg = aggregationRule(attrs.object);
  const json::value* oldAgg = aggregationRule(attrs.oldObject);
  bool aggregationChanged = agg && (!oldAgg || *agg != *oldAgg);
  if (attrs.resource() == "clusterroles" && aggregationChanged) {
    std::vector<std::string> errors;
    auto owner = rules_.policyRulesFor(*attrs.user, attrs.ns, &errors);
    if (!rbac::escalationError(*attrs.user, owner, errors, fullAuthority()).empty()) {
      return forbidden(attrs, "must have cluster-admin privileges to use the aggregationRule");
    }
  }
  const json::value* rules = attrs.object->if_contains("rules");
  return confirmNoEscalation(attrs, rbac::parseRules(rules));
}

Result<void> RbacEscalationCheck::binding(const Attributes& attrs) const {
  const json::object* ref = api::findObject(*attrs.object, "roleRef");
  std::string kind = ref ? std::string(api::getString(*ref, "kind")) : "";
  std::string roleName = ref ? std::string(api::getString(*ref, "name")) : "";
  std::string group = ref ? std::string(api::getString(*ref, "apiGroup")) : "";
  std::string roleResource = kind == "ClusterRole" ? "clusterroles" : kind == "Role" ? "roles" : "";
  if (!roleResource.empty() && allowedVerb(attrs, "bind", roleResource, roleName, group)) return {};
  auto rules = rules_.roleReferenceRules(kind, roleName, attrs.ns);
  if (!rules) return forbidden(attrs, rules.error().message);
  return confirmNoEscalation(attrs, *rules);
}

}  // namespace kcpp::apiserver::admission
