#include "apiserver/authz/rbac/rbac_authorizer.h"

#include <algorithm>
#include <mutex>
#include <set>

namespace kcpp::apiserver::rbac {

namespace {

std::vector<std::string> strings(const json::object& obj, std::string_view key) {
  std::vector<std::string> out;
  auto it = obj.find(key);
  if (it == obj.end() || !it->value().is_array()) return out;
  for (const auto& v : it->value().get_array()) {
    if (v.is_string()) out.emplace_back(v.get_string());
  }
  return out;
}

std::string str(const json::object& obj, std::string_view key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->value().is_string()) return {};
  return std::string(it->value().get_string());
}

const json::object* objectAt(const json::object& obj, std::string_view key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->value().is_object()) return nullptr;
  return &it->value().get_object();
}

bool hasOrStar(const std::vector<std::string>& list, const std::string& value) {
  for (const auto& v : list) {
    if (v == "*" || v == value) return true;
  }
  return false;
}

bool resourceMatches(const PolicyRule& rule, const std::string& combined,
                     const std::string& subresource) {
  for (const auto& r : rule.resources) {
    if (r == "*" || r == combined) return true;
    // "*/scale" matches the scale subresource of any resource.
    if (!subresource.empty() && r.size() == subresource.size() + 2 && r.starts_with("*/") &&
        r.compare(2, std::string::npos, subresource) == 0) {
      return true;
    }
  }
  return false;
}

bool resourceNameMatches(const PolicyRule& rule, const std::string& name) {
  if (rule.resourceNames.empty()) return true;
  return std::find(rule.resourceNames.begin(), rule.resourceNames.end(), name) !=
         rule.resourceNames.end();
}

bool nonResourceURLMatches(const PolicyRule& rule, const std::string& path) {
  for (const auto& u : rule.nonResourceURLs) {
    if (u == "*" || u == path) return true;
    if (!u.empty() && u.back() == '*' && path.starts_with(std::string_view(u).substr(0, u.size() - 1))) {
      return true;
    }
  }
  return false;
}

std::map<std::string, std::string> labelsOf(const json::object& obj) {
  std::map<std::string, std::string> out;
  const json::object* meta = objectAt(obj, "metadata");
  const json::object* labels = meta ? objectAt(*meta, "labels") : nullptr;
  if (!labels) return out;
  for (const auto& kv : *labels) {
    if (kv.value().is_string()) out.emplace(kv.key(), std::string(kv.value().get_string()));
  }
  return out;
}

}  // namespace

PolicyRule parseRule(const json::object& rule) {
  PolicyRule r;
  r.verbs = strings(rule, "verbs");
  r.apiGroups = strings(rule, "apiGroups");
  r.resources = strings(rule, "resources");
  r.resourceNames = strings(rule, "resourceNames");
  r.nonResourceURLs = strings(rule, "nonResourceURLs");
  return r;
}

std::vector<PolicyRule> parseRules(const json::value* rules) {
  std::vector<PolicyRule> out;
  if (!rules || !rules->is_array()) return out;
  for (const auto& r : rules->get_array()) {
    if (r.is_object()) out.push_back(parseRule(r.get_object()));
  }
  return out;
}

bool ruleAllows(const RequestInfo& request, const PolicyRule& rule) {
  if (!hasOrStar(rule.verbs, request.verb)) return false;
  if (request.isResourceRequest) {
    std::string combined = request.subresource.empty()
                               ? request.resource
                               : request.resource + "/" + request.subresource;
    return hasOrStar(rule.apiGroups, request.apiGroup) &&
           resourceMatches(rule, combined, request.subresource) &&
           resourceNameMatches(rule, request.name);
  }
  return nonResourceURLMatches(rule, request.path);
}

bool selectorMatches(const json::object& selector, const std::map<std::string, std::string>& labels) {
  if (const json::object* ml = objectAt(selector, "matchLabels")) {
    for (const auto& kv : *ml) {
      auto it = labels.find(std::string(kv.key()));
      if (it == labels.end() || !kv.value().is_string() || it->second != kv.value().get_string()) {
        return false;
      }
    }
  }
  auto exprs = selector.find("matchExpressions");
  if (exprs != selector.end() && exprs->value().is_array()) {
    for (const auto& e : exprs->value().get_array()) {
      if (!e.is_object()) return false;
      std::string key = str(e.get_object(), "key");
      std::string op = str(e.get_object(), "operator");
      std::vector<std::string> values = strings(e.get_object(), "values");
      auto it = labels.find(key);
      bool in = it != labels.end() &&
                std::find(values.begin(), values.end(), it->second) != values.end();
      if (op == "In" && !in) return false;
      if (op == "NotIn" && in) return false;
      if (op == "Exists" && it == labels.end()) return false;
      if (op == "DoesNotExist" && it != labels.end()) return false;
      if (op != "In" && op != "NotIn" && op != "Exists" && op != "DoesNotExist") return false;
    }
  }
  return true;
}

namespace {

using Rules = std::vector<PolicyRule>;
using RulesPtr = std::shared_ptr<const Rules>;

struct ClusterRoleData {
  RulesPtr own;
  std::map<std::string, std::string> labels;
  std::vector<json::object> selectors;  // set when the role is aggregated
  bool aggregated = false;
  RulesPtr effective;
};

struct Binding {
  std::string ns;  // empty for ClusterRoleBindings
  bool clusterRole = true;
  std::string roleName;
  std::vector<std::string> subjectKeys;
};
using BindingPtr = std::shared_ptr<const Binding>;

std::string bindingKey(Kind kind, const std::string& ns, const std::string& name) {
  return (kind == Kind::RoleBinding ? "rb/" + ns + "/" : std::string("crb/")) + name;
}

}  // namespace

struct RbacAuthorizer::Impl {
  mutable std::shared_mutex mu;
  std::unordered_map<std::string, RulesPtr> roles;  // "ns/name"
  std::unordered_map<std::string, ClusterRoleData> clusterRoles;
  std::unordered_map<std::string, BindingPtr> bindings;  // bindingKey
  // subject key ("u:<user>" / "g:<group>") → bindingKey → binding
  std::unordered_map<std::string, std::map<std::string, BindingPtr>> bySubject;

  void collect(const std::string& name, std::set<std::string>& visiting, Rules& out) {
    auto it = clusterRoles.find(name);
    if (it == clusterRoles.end() || !visiting.insert(name).second) return;
    const ClusterRoleData& data = it->second;
    out.insert(out.end(), data.own->begin(), data.own->end());
    if (!data.aggregated) return;
    for (const auto& [other, od] : clusterRoles) {
      if (other == name) continue;
      for (const auto& sel : data.selectors) {
        if (selectorMatches(sel, od.labels)) {
          collect(other, visiting, out);
          break;
        }
      }
    }
  }

  // Recomputes the effective rules of every aggregated ClusterRole.
  void reaggregate() {
    for (auto& [name, data] : clusterRoles) {
      if (!data.aggregated) {
        data.effective = data.own;
        continue;
      }
      auto rules = std::make_shared<Rules>();
      std::set<std::string> visiting;
      collect(name, visiting, *rules);
      data.effective = std::move(rules);
    }
  }

  void unindex(const std::string& key) {
    auto it = bindings.find(key);
    if (it == bindings.end()) return;
    for (const auto& s : it->second->subjectKeys) {
      auto sub = bySubject.find(s);
      if (sub == bySubject.end()) continue;
      sub->second.erase(key);
      if (sub->second.empty()) bySubject.erase(sub);
    }
    bindings.erase(it);
  }

  const Rules* rulesFor(const Binding& b) const {
    if (b.clusterRole) {
      auto it = clusterRoles.find(b.roleName);
      return it == clusterRoles.end() || !it->second.effective ? nullptr : it->second.effective.get();
    }
    auto it = roles.find(b.ns + "/" + b.roleName);
    return it == roles.end() ? nullptr : it->second.get();
  }
};

RbacAuthorizer::RbacAuthorizer() : impl_(std::make_unique<Impl>()) {}
RbacAuthorizer::~RbacAuthorizer() = default;

Decision RbacAuthorizer::authorize(const UserInfo& user, const RequestInfo& request) const {
  std::shared_lock lock(impl_->mu);
  auto check = [&](const std::string& subjectKey) {
    auto sub = impl_->bySubject.find(subjectKey);
    if (sub == impl_->bySubject.end()) return false;
    for (const auto& [key, b] : sub->second) {
      // A RoleBinding grants only within its namespace (never cluster-wide or
      // non-resource requests), as upstream's VisitRulesFor.
      if (!b->ns.empty() && b->ns != request.namespace_) continue;
      const Rules* rules = impl_->rulesFor(*b);
      if (!rules) continue;
      for (const auto& r : *rules) {
        if (ruleAllows(request, r)) return true;
      }
    }
    return false;
  };
  if (check("u:" + user.name)) return Decision::Allow;
  for (const auto& g : user.groups) {
    if (check("g:" + g)) return Decision::Allow;
  }
  return Decision::NoOpinion;
}

namespace {

Error roleNotFound(bool clusterRole, const std::string& name) {
  // Upstream's listers name the resource in the singular.
  Error e = makeError(Reason::NotFound, std::string(clusterRole ? "clusterrole" : "role") +
                                            ".rbac.authorization.k8s.io \"" + name + "\" not found");
  e.group = "rbac.authorization.k8s.io";
  e.kind = clusterRole ? "clusterrole" : "role";
  e.name = name;
  return e;
}

}  // namespace

std::vector<PolicyRule> RbacAuthorizer::policyRulesFor(const UserInfo& user, const std::string& ns,
                                                       std::vector<std::string>* errors) const {
  std::shared_lock lock(impl_->mu);
  // Binding keys sort "crb/..." before "rb/...": cluster bindings first, as upstream.
  std::map<std::string, BindingPtr> applying;
  auto gather = [&](const std::string& subjectKey) {
    auto sub = impl_->bySubject.find(subjectKey);
    if (sub == impl_->bySubject.end()) return;
    for (const auto& [key, b] : sub->second) {
      if (b->ns.empty() || (!ns.empty() && b->ns == ns)) applying.emplace(key, b);
    }
  };
  gather("u:" + user.name);
  for (const auto& g : user.groups) gather("g:" + g);
  std::vector<PolicyRule> out;
  for (const auto& [key, b] : applying) {
    const Rules* rules = impl_->rulesFor(*b);
    if (!rules) {
      if (errors) errors->push_back(roleNotFound(b->clusterRole, b->roleName).message);
      continue;
    }
    out.insert(out.end(), rules->begin(), rules->end());
  }
  return out;
}

void RbacAuthorizer::rulesFor(const UserInfo& user, const std::string& ns, UserRules& out) const {
  for (const PolicyRule& r : policyRulesFor(user, ns, &out.errors)) {
    if (!r.resources.empty()) {
      out.resourceRules.push_back(ResourceRuleInfo{r.verbs, r.apiGroups, r.resources, r.resourceNames});
    }
    if (!r.nonResourceURLs.empty()) {
      out.nonResourceRules.push_back(NonResourceRuleInfo{r.verbs, r.nonResourceURLs});
    }
  }
}

Result<std::vector<PolicyRule>> RbacAuthorizer::roleReferenceRules(const std::string& kind,
                                                                   const std::string& name,
                                                                   const std::string& bindingNs) const {
  if (kind != "Role" && kind != "ClusterRole") {
    return makeError(Reason::BadRequest, "unsupported role reference kind: \"" + kind + "\"");
  }
  std::shared_lock lock(impl_->mu);
  Binding probe;
  probe.clusterRole = kind == "ClusterRole";
  probe.ns = bindingNs;
  probe.roleName = name;
  const Rules* rules = impl_->rulesFor(probe);
  if (!rules) return roleNotFound(probe.clusterRole, name);
  return *rules;
}

void RbacAuthorizer::upsert(Kind kind, const json::object& obj) {
  const json::object* meta = objectAt(obj, "metadata");
  if (!meta) return;
  std::string name = str(*meta, "name");
  std::string ns = str(*meta, "namespace");
  std::unique_lock lock(impl_->mu);
  switch (kind) {
    case Kind::Role: {
      auto it = obj.find("rules");
      impl_->roles[ns + "/" + name] =
          std::make_shared<Rules>(parseRules(it == obj.end() ? nullptr : &it->value()));
      return;
    }
    case Kind::ClusterRole: {
      ClusterRoleData data;
      auto it = obj.find("rules");
      data.own = std::make_shared<Rules>(parseRules(it == obj.end() ? nullptr : &it->value()));
      data.labels = labelsOf(obj);
      if (const json::object* agg = objectAt(obj, "aggregationRule")) {
        data.aggregated = true;
        auto sels = agg->find("clusterRoleSelectors");
        if (sels != agg->end() && sels->value().is_array()) {
          for (const auto& s : sels->value().get_array()) {
            if (s.is_object()) data.selectors.push_back(s.get_object());
          }
        }
      }
      impl_->clusterRoles[name] = std::move(data);
      impl_->reaggregate();
      return;
    }
    case Kind::RoleBinding:
    case Kind::ClusterRoleBinding: {
      auto b = std::make_shared<Binding>();
      if (kind == Kind::RoleBinding) b->ns = ns;
      if (const json::object* ref = objectAt(obj, "roleRef")) {
        b->clusterRole = str(*ref, "kind") != "Role";
        b->roleName = str(*ref, "name");
      }
      auto subjects = obj.find("subjects");
      if (subjects != obj.end() && subjects->value().is_array()) {
        for (const auto& sv : subjects->value().get_array()) {
          if (!sv.is_object()) continue;
          const json::object& s = sv.get_object();
          std::string skind = str(s, "kind");
          std::string sname = str(s, "name");
          if (skind == "User") {
            b->subjectKeys.push_back("u:" + sname);
          } else if (skind == "Group") {
            b->subjectKeys.push_back("g:" + sname);
          } else if (skind == "ServiceAccount") {
            std::string sns = str(s, "namespace");
            if (sns.empty()) sns = ns;
            b->subjectKeys.push_back("u:system:serviceaccount:" + sns + ":" + sname);
          }
        }
      }
      std::string key = bindingKey(kind, ns, name);
      impl_->unindex(key);
      impl_->bindings[key] = b;
      for (const auto& s : b->subjectKeys) impl_->bySubject[s][key] = b;
      return;
    }
  }
}

void RbacAuthorizer::remove(Kind kind, const std::string& ns, const std::string& name) {
  std::unique_lock lock(impl_->mu);
  switch (kind) {
    case Kind::Role:
      impl_->roles.erase(ns + "/" + name);
      return;
    case Kind::ClusterRole:
      impl_->clusterRoles.erase(name);
      impl_->reaggregate();
      return;
    case Kind::RoleBinding:
    case Kind::ClusterRoleBinding:
      impl_->unindex(bindingKey(kind, ns, name));
      return;
  }
}

void RbacAuthorizer::clear(Kind kind) {
  std::unique_lock lock(impl_->mu);
  switch (kind) {
    case Kind::Role:
      impl_->roles.clear();
      return;
    case Kind::ClusterRole:
      impl_->clusterRoles.clear();
      return;
    case Kind::RoleBinding:
    case Kind::ClusterRoleBinding: {
      std::vector<std::string> keys;
      std::string prefix = kind == Kind::RoleBinding ? "rb/" : "crb/";
      for (const auto& [k, b] : impl_->bindings) {
        if (k.starts_with(prefix)) keys.push_back(k);
      }
      for (const auto& k : keys) impl_->unindex(k);
      return;
    }
  }
}

std::size_t RbacAuthorizer::bindingCount() const {
  std::shared_lock lock(impl_->mu);
  return impl_->bindings.size();
}

}  // namespace kcpp::apiserver::rbac
