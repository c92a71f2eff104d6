#include "apiserver/authz/rbac/bootstrappolicy/policy_builders.h"

#include <algorithm>
#include <string_view>
#include <vector>

namespace kcpp::apiserver::rbac::bootstrap {

namespace {

constexpr const char* kRbacGroup = "rbac.authorization.k8s.io";
constexpr const char* kRbacVersion = "rbac.authorization.k8s.io/v1";

json::array sorted(Strings items) {
  std::vector<std::string_view> list(items.begin(), items.end());
  std::sort(list.begin(), list.end());
  json::array out;
  out.reserve(list.size());
  for (std::string_view s : list) out.emplace_back(s);
  return out;
}

json::object metadata(const std::string& ns, const std::string& name, json::object labels) {
  labels["kubernetes.io/bootstrapping"] = "rbac-defaults";
  json::object meta{{"name", name},
                    {"labels", std::move(labels)},
                    {"annotations", json::object{{kAutoUpdateAnnotation, "true"}}}};
  if (!ns.empty()) meta["namespace"] = ns;
  return meta;
}

json::object binding(const char* kind, const std::string& ns, const std::string& name,
                     const char* roleKind, const std::string& role, json::array subjects) {
  json::object b{
      {"apiVersion", kRbacVersion},
      {"kind", kind},
      {"metadata", metadata(ns, name, {})},
      {"roleRef", json::object{{"apiGroup", kRbacGroup}, {"kind", roleKind}, {"name", role}}}};
  if (!subjects.empty()) b["subjects"] = std::move(subjects);
  return b;
}

}  // namespace

json::object rule(Strings verbs, Strings groups, Strings resources) {
  return {
      {"verbs", sorted(verbs)}, {"apiGroups", sorted(groups)}, {"resources", sorted(resources)}};
}

json::object namedRule(Strings verbs, Strings groups, Strings resources, Strings names) {
  json::object r = rule(verbs, groups, resources);
  r["resourceNames"] = sorted(names);
  return r;
}

json::object urlRule(Strings verbs, Strings urls) {
  return {{"verbs", sorted(verbs)}, {"nonResourceURLs", sorted(urls)}};
}

json::object eventsRule() {
  return rule({"create", "update", "patch"}, {"", "events.k8s.io"}, {"events"});
}

json::object clusterRole(const std::string& name, json::array rules, json::object labels) {
  return {{"apiVersion", kRbacVersion},
          {"kind", "ClusterRole"},
          {"metadata", metadata("", name, std::move(labels))},
          {"rules", std::move(rules)}};
}

json::object aggregatedClusterRole(const std::string& name, const std::string& selects,
                                   json::object labels) {
  json::object r = clusterRole(name, json::array{}, std::move(labels));
  json::object selector{
      {"matchLabels", json::object{{std::string(kAggregateLabelPrefix) + selects, "true"}}}};
  r["aggregationRule"] = json::object{{"clusterRoleSelectors", json::array{std::move(selector)}}};
  return r;
}

json::object role(const std::string& ns, const std::string& name, json::array rules) {
  return {{"apiVersion", kRbacVersion},
          {"kind", "Role"},
          {"metadata", metadata(ns, name, {})},
          {"rules", std::move(rules)}};
}

json::object userSubject(const std::string& name) {
  return {{"kind", "User"}, {"apiGroup", kRbacGroup}, {"name", name}};
}

json::object groupSubject(const std::string& name) {
  return {{"kind", "Group"}, {"apiGroup", kRbacGroup}, {"name", name}};
}

json::object serviceAccountSubject(const std::string& ns, const std::string& name) {
  return {{"kind", "ServiceAccount"}, {"name", name}, {"namespace", ns}};
}

json::object clusterRoleBinding(const std::string& name, const std::string& clusterRole,
                                json::array subjects) {
  return binding("ClusterRoleBinding", "", name, "ClusterRole", clusterRole, std::move(subjects));
}

json::object roleBinding(const std::string& ns, const std::string& name, const std::string& role,
                         json::array subjects) {
  return binding("RoleBinding", ns, name, "Role", role, std::move(subjects));
}

}  // namespace kcpp::apiserver::rbac::bootstrap
