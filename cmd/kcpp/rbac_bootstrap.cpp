#include "rbac_bootstrap.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "api/meta/object.h"
#include "apiserver/authz/rbac/rbac_authorizer.h"

#include <initializer_list>

namespace kcpp::cmd {

namespace json = boost::json;
using Strings = std::initializer_list<const char*>;

namespace {

constexpr const char* kAutoUpdate = "rbac.authorization.kubernetes.io/autoupdate";
constexpr const char* kAggregatePrefix = "rbac.authorization.k8s.io/aggregate-to-";

json::array arr(Strings items) {
  json::array a;
  for (const char* s : items) a.emplace_back(s);
  return a;
}

json::object rule(Strings verbs, Strings groups, Strings resources) {
  return {{"verbs", arr(verbs)}, {"apiGroups", arr(groups)}, {"resources", arr(resources)}};
}

json::object urls(Strings verbs, Strings paths) {
  return {{"verbs", arr(verbs)}, {"nonResourceURLs", arr(paths)}};
}

const Strings kRead = {"get", "list", "watch"};
const Strings kWrite = {"create", "delete", "deletecollection", "patch", "update"};
const Strings kReadWrite = {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"};

json::object metadata(const std::string& name, json::object labels = {}) {
  labels["kubernetes.io/bootstrapping"] = "rbac-defaults";
  return {{"name", name},
          {"labels", std::move(labels)},
          {"annotations", json::object{{kAutoUpdate, "true"}}}};
}

json::object clusterRole(const std::string& name, json::array rules, json::object labels = {}) {
  return {{"apiVersion", "rbac.authorization.k8s.io/v1"},
          {"kind", "ClusterRole"},
          {"metadata", metadata(name, std::move(labels))},
          {"rules", std::move(rules)}};
}

json::object aggregated(const std::string& name, const std::string& selects, json::object labels) {
  json::object role = clusterRole(name, json::array{}, std::move(labels));
  json::object selector{{"matchLabels", json::object{{kAggregatePrefix + selects, "true"}}}};
  role["aggregationRule"] = json::object{{"clusterRoleSelectors", json::array{selector}}};
  return role;
}

json::object subject(const char* kind, const std::string& name) {
  return {{"kind", kind}, {"apiGroup", "rbac.authorization.k8s.io"}, {"name", name}};
}

json::object binding(const std::string& name, const std::string& role, json::array subjects) {
  json::object b{{"apiVersion", "rbac.authorization.k8s.io/v1"},
                 {"kind", "ClusterRoleBinding"},
                 {"metadata", metadata(name)},
                 {"roleRef", json::object{{"apiGroup", "rbac.authorization.k8s.io"},
                                          {"kind", "ClusterRole"},
                                          {"name", role}}}};
  if (!subjects.empty()) b["subjects"] = std::move(subjects);  // upstream omits none
  return b;
}

// Before the Node authorizer, kcpp bound system:node to the group system:nodes;
// that grant is withdrawn from data dirs that still have it.
bool dropStopgapNodeSubject(json::object& current) {
  if (api::getString(*api::findObject(current, "metadata"), "name") != "system:node") return false;
  json::value* subjects = current.if_contains("subjects");
  if (!subjects || !subjects->is_array()) return false;
  json::array& list = subjects->get_array();
  auto stale = std::find(list.begin(), list.end(), json::value(subject("Group", "system:nodes")));
  if (stale == list.end()) return false;
  list.erase(stale);
  return true;
}

}  // namespace

// Upstream's NodeRules (the system:node ClusterRole, which the Node authorizer
// applies to kubelets).
json::array nodeRules() {
  return json::array{
          rule({"create"}, {"authentication.k8s.io"}, {"tokenreviews"}),
          rule({"create"}, {"authorization.k8s.io"},
               {"localsubjectaccessreviews", "subjectaccessreviews"}),
          rule(kRead, {""}, {"services"}),
          rule({"create", "get", "list", "watch"}, {""}, {"nodes"}),
          rule({"patch", "update"}, {""}, {"nodes/status"}),
          rule({"patch", "update"}, {""}, {"nodes"}),
          rule({"create", "patch", "update"}, {"", "events.k8s.io"}, {"events"}),
          rule(kRead, {""}, {"pods"}),
          rule({"create", "delete"}, {""}, {"pods"}),
          rule({"patch", "update"}, {""}, {"pods/status"}),
          rule({"create"}, {""}, {"pods/eviction"}),
          rule({"get"}, {""}, {"configmaps", "secrets"}),
          rule({"get"}, {""}, {"persistentvolumeclaims", "persistentvolumes"}),
          rule({"get"}, {""}, {"endpoints"}),
          rule({"create", "get", "list", "watch"}, {"certificates.k8s.io"},
               {"certificatesigningrequests"}),
          rule({"create", "delete", "get", "patch", "update"}, {"coordination.k8s.io"}, {"leases"}),
          rule({"get"}, {"storage.k8s.io"}, {"volumeattachments"}),
          rule({"create"}, {""}, {"serviceaccounts/token"}),
          rule({"get", "list", "watch"}, {"node.k8s.io"}, {"runtimeclasses"})};
}

namespace {

std::vector<json::object> bootstrapClusterRoles() {
  std::vector<json::object> roles;
  roles.push_back(clusterRole("cluster-admin",
                              json::array{rule({"*"}, {"*"}, {"*"}), urls({"*"}, {"*"})}));
  roles.push_back(clusterRole(
      "system:discovery",
      json::array{urls({"get"}, {"/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez",
                                 "/openapi", "/openapi/*", "/readyz", "/version", "/version/"})}));
  roles.push_back(clusterRole(
      "system:public-info-viewer",
      json::array{urls({"get"}, {"/healthz", "/livez", "/readyz", "/version", "/version/"})}));
  roles.push_back(clusterRole(
      "system:basic-user",
      json::array{rule({"create"}, {"authorization.k8s.io"},
                       {"selfsubjectaccessreviews", "selfsubjectrulesreviews"}),
                  rule({"create"}, {"authentication.k8s.io"}, {"selfsubjectreviews"})}));
  // admin ⊇ edit ⊇ view through aggregation, as upstream.
  roles.push_back(aggregated("admin", "admin", {}));
  roles.push_back(aggregated("edit", "edit", {{std::string(kAggregatePrefix) + "admin", "true"}}));
  roles.push_back(aggregated("view", "view", {{std::string(kAggregatePrefix) + "edit", "true"}}));
  roles.push_back(clusterRole(
      "system:aggregate-to-admin",
      json::array{rule({"create"}, {"authorization.k8s.io"}, {"localsubjectaccessreviews"}),
                  rule(kReadWrite, {"rbac.authorization.k8s.io"}, {"rolebindings", "roles"})},
      {{std::string(kAggregatePrefix) + "admin", "true"}}));
  roles.push_back(clusterRole(
      "system:aggregate-to-edit",
      json::array{
          rule(kRead, {""}, {"pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets",
                             "services/proxy"}),
          rule({"impersonate"}, {""}, {"serviceaccounts"}),
          rule(kWrite, {""}, {"pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"}),
          rule({"create"}, {""}, {"pods/eviction"}),
          rule(kWrite, {""}, {"configmaps", "events", "persistentvolumeclaims",
                              "replicationcontrollers", "replicationcontrollers/scale", "secrets",
                              "serviceaccounts", "services", "services/proxy"}),
          rule({"create"}, {""}, {"serviceaccounts/token"}),
          rule(kWrite, {"apps"}, {"daemonsets", "deployments", "deployments/rollback",
                                  "deployments/scale", "replicasets", "replicasets/scale",
                                  "statefulsets", "statefulsets/scale"}),
          rule(kWrite, {"autoscaling"}, {"horizontalpodautoscalers"}),
          rule(kWrite, {"batch"}, {"cronjobs", "jobs"}),
          rule(kWrite, {"policy"}, {"poddisruptionbudgets"}),
          rule(kWrite, {"networking.k8s.io"}, {"ingresses", "networkpolicies"}),
          rule(kReadWrite, {"coordination.k8s.io"}, {"leases"})},
      {{std::string(kAggregatePrefix) + "edit", "true"}}));
  roles.push_back(clusterRole(
      "system:aggregate-to-view",
      json::array{
          rule(kRead, {""}, {"configmaps", "endpoints", "persistentvolumeclaims",
                             "persistentvolumeclaims/status", "pods", "replicationcontrollers",
                             "replicationcontrollers/scale", "serviceaccounts", "services",
                             "services/status"}),
          rule(kRead, {""}, {"bindings", "events", "limitranges", "namespaces/status", "pods/log",
                             "pods/status", "replicationcontrollers/status", "resourcequotas",
                             "resourcequotas/status"}),
          rule(kRead, {""}, {"namespaces"}),
          rule(kRead, {"discovery.k8s.io"}, {"endpointslices"}),
          rule(kRead, {"apps"}, {"controllerrevisions", "daemonsets", "daemonsets/status",
                                 "deployments", "deployments/scale", "deployments/status",
                                 "replicasets", "replicasets/scale", "replicasets/status",
                                 "statefulsets", "statefulsets/scale", "statefulsets/status"}),
          rule(kRead, {"autoscaling"}, {"horizontalpodautoscalers", "horizontalpodautoscalers/status"}),
          rule(kRead, {"batch"}, {"cronjobs", "cronjobs/status", "jobs", "jobs/status"}),
          rule(kRead, {"policy"}, {"poddisruptionbudgets", "poddisruptionbudgets/status"}),
          rule(kRead, {"networking.k8s.io"}, {"ingresses", "ingresses/status", "networkpolicies"})},
      {{std::string(kAggregatePrefix) + "view", "true"}}));
  roles.push_back(clusterRole(
      "system:kube-scheduler",
      json::array{
          rule({"create", "patch", "update"}, {"", "events.k8s.io"}, {"events"}),
          rule({"create"}, {"coordination.k8s.io"}, {"leases"}),
          rule({"get", "update"}, {"coordination.k8s.io"}, {"leases"}),
          rule({"delete", "get", "list", "watch"}, {""}, {"pods"}),
          rule({"get", "list", "watch"}, {""}, {"nodes"}),
          rule({"create"}, {""}, {"bindings", "pods/binding"}),
          rule({"patch", "update"}, {""}, {"pods/status"}),
          rule(kRead, {""}, {"replicationcontrollers", "services", "namespaces",
                             "persistentvolumeclaims", "persistentvolumes"}),
          rule(kRead, {"apps"}, {"replicasets", "statefulsets"}),
          rule(kRead, {"policy"}, {"poddisruptionbudgets"}),
          rule(kRead, {"storage.k8s.io"}, {"storageclasses", "csinodes", "csidrivers",
                                           "csistoragecapacities"}),
          rule({"create"}, {"authentication.k8s.io"}, {"tokenreviews"}),
          rule({"create"}, {"authorization.k8s.io"}, {"subjectaccessreviews"})}));
  roles.push_back(clusterRole(
      "system:kube-controller-manager",
      json::array{
          rule({"create", "patch", "update"}, {"", "events.k8s.io"}, {"events"}),
          rule({"create"}, {"coordination.k8s.io"}, {"leases"}),
          rule({"get", "update"}, {"coordination.k8s.io"}, {"leases"}),
          rule({"create"}, {""}, {"secrets", "serviceaccounts"}),
          rule({"delete"}, {""}, {"secrets"}),
          rule({"get"}, {""}, {"configmaps", "namespaces", "secrets", "serviceaccounts"}),
          rule({"update"}, {""}, {"secrets", "serviceaccounts"}),
          rule({"create"}, {"authentication.k8s.io"}, {"tokenreviews"}),
          rule({"create"}, {"authorization.k8s.io"}, {"subjectaccessreviews"}),
          rule({"list", "watch"}, {"*"}, {"*"}),
          rule({"create"}, {""}, {"serviceaccounts/token"})}));
  roles.push_back(clusterRole("system:node", nodeRules()));
  // Upstream's role for kubelets' TLS bootstrap (bound by kcpp to the joining
  // identities; see rbac_bootstrap.h).
  roles.push_back(clusterRole(
      "system:node-bootstrapper",
      json::array{rule({"create", "get", "list", "watch"}, {"certificates.k8s.io"},
                       {"certificatesigningrequests"})}));
  return roles;
}

std::vector<json::object> bootstrapClusterRoleBindings() {
  std::vector<json::object> bindings;
  bindings.push_back(
      binding("cluster-admin", "cluster-admin", json::array{subject("Group", "system:masters")}));
  bindings.push_back(binding("system:discovery", "system:discovery",
                             json::array{subject("Group", "system:authenticated")}));
  bindings.push_back(binding("system:basic-user", "system:basic-user",
                             json::array{subject("Group", "system:authenticated")}));
  bindings.push_back(binding("system:public-info-viewer", "system:public-info-viewer",
                             json::array{subject("Group", "system:authenticated"),
                                         subject("Group", "system:unauthenticated")}));
  bindings.push_back(binding("system:kube-scheduler", "system:kube-scheduler",
                             json::array{subject("User", "system:kube-scheduler")}));
  bindings.push_back(binding("system:kube-controller-manager", "system:kube-controller-manager",
                             json::array{subject("User", "system:kube-controller-manager")}));
  // As upstream: system:node is bound to no one; the Node authorizer grants
  // kubelets their permissions (and only for their own node's objects).
  bindings.push_back(binding("system:node", "system:node", json::array{}));
  // The server's join token and bootstrap tokens (group system:bootstrappers)
  // may ask for node client certificates, as kubeadm's kubeadm:kubelet-bootstrap.
  bindings.push_back(binding("kcpp:node-bootstrapper", "system:node-bootstrapper",
                             json::array{subject("Group", "system:bootstrappers")}));
  return bindings;
}

bool autoUpdate(const json::object& obj) {
  const json::value* v = obj.if_contains("metadata");
  v = v && v->is_object() ? v->get_object().if_contains("annotations") : nullptr;
  v = v && v->is_object() ? v->get_object().if_contains(kAutoUpdate) : nullptr;
  return v && v->is_string() && v->get_string() == "true";
}

// Appends the elements of `want` that `have` lacks; true when any was added.
bool addMissing(json::object& obj, const char* field, const json::array& want) {
  json::value& v = obj[field];
  if (!v.is_array()) v = json::array{};
  json::array& have = v.get_array();
  bool changed = false;
  for (const auto& item : want) {
    if (std::find(have.begin(), have.end(), item) == have.end()) {
      have.push_back(item);
      changed = true;
    }
  }
  return changed;
}

bool addMissingLabels(json::object& current, const json::object& wanted) {
  json::value& meta = current["metadata"];
  if (!meta.is_object()) return false;
  json::value& labels = meta.get_object()["labels"];
  if (!labels.is_object()) labels = json::object{};
  bool changed = false;
  const json::value* want = wanted.at("metadata").get_object().if_contains("labels");
  if (!want || !want->is_object()) return false;
  for (const auto& kv : want->get_object()) {
    if (!labels.get_object().contains(kv.key())) {
      labels.get_object()[kv.key()] = kv.value();
      changed = true;
    }
  }
  return changed;
}

// Creates `wanted` if missing; reconciles (adds only) when autoupdate is "true".
boost::asio::awaitable<Result<void>> ensure(apiserver::Registry& registry, json::object wanted,
                                            const char* listField) {
  std::string name(wanted["metadata"].as_object()["name"].as_string());
  auto found = co_await registry.get("", name);
  apiserver::WriteOptions options;  // named: GCC 12 mishandles `{}` temporaries in co_await
  if (!found) {
    if (found.error().reason != Reason::NotFound) co_return std::move(found).error();
    auto created = co_await registry.create("", std::move(wanted), options);
    if (!created && created.error().reason != Reason::AlreadyExists) {
      co_return std::move(created).error();
    }
    co_return Result<void>{};
  }
  boost::system::error_code ec;
  json::value parsed = json::parse(*found->json, ec);
  if (ec || !parsed.is_object()) co_return Result<void>{};
  json::object current = std::move(parsed.get_object());
  if (!autoUpdate(current)) co_return Result<void>{};
  bool changed = addMissingLabels(current, wanted);
  if (std::string_view(listField) == "subjects") changed = dropStopgapNodeSubject(current) || changed;
  const json::value* want = wanted.if_contains(listField);
  if (want && want->is_array()) changed = addMissing(current, listField, want->get_array()) || changed;
  if (wanted.contains("aggregationRule") && !current.contains("aggregationRule")) {
    current["aggregationRule"] = wanted["aggregationRule"];
    changed = true;
  }
  if (!changed) co_return Result<void>{};
  auto updated =
      co_await registry.update("", name, std::move(current), apiserver::Subresource::None, options);
  if (!updated && updated.error().reason != Reason::Conflict) co_return std::move(updated).error();
  co_return Result<void>{};
}

}  // namespace

boost::asio::awaitable<Result<void>> ensureRbacBootstrapPolicy(
    apiserver::Registry& clusterRoles, apiserver::Registry& clusterRoleBindings) {
  for (auto& role : bootstrapClusterRoles()) {
    // Aggregated roles get their rules from aggregation, not from reconciliation.
    const char* field = role.contains("aggregationRule") ? "aggregationRule" : "rules";
    if (auto ok = co_await ensure(clusterRoles, std::move(role), field); !ok) co_return ok;
  }
  for (auto& b : bootstrapClusterRoleBindings()) {
    if (auto ok = co_await ensure(clusterRoleBindings, std::move(b), "subjects"); !ok) co_return ok;
  }
  co_return Result<void>{};
}

namespace {

std::map<std::string, std::string> labelsOf(const json::object& role) {
  std::map<std::string, std::string> out;
  const json::value* meta = role.if_contains("metadata");
  const json::value* labels = meta && meta->is_object() ? meta->get_object().if_contains("labels")
                                                        : nullptr;
  if (!labels || !labels->is_object()) return out;
  for (const auto& kv : labels->get_object()) {
    if (kv.value().is_string()) out.emplace(kv.key(), std::string(kv.value().get_string()));
  }
  return out;
}

// One pass: true when some role was updated (another pass may change more).
boost::asio::awaitable<Result<bool>> aggregateOnce(apiserver::Registry& clusterRoles) {
  storage::ListOptions options;  // named: GCC 12 and braced temporaries in co_await
  auto listed = co_await clusterRoles.cache().list(options);
  if (!listed) co_return std::move(listed).error();
  std::map<std::string, json::object> roles;  // by name: upstream's order
  for (const auto& item : listed->items) {
    boost::system::error_code ec;
    json::value v = json::parse(*item.json, ec);
    if (ec || !v.is_object()) continue;
    std::string name(v.at("metadata").at("name").as_string());
    roles.emplace(std::move(name), std::move(v.get_object()));
  }
  bool changed = false;
  for (auto& [name, role] : roles) {
    const json::value* agg = role.if_contains("aggregationRule");
    if (!agg || !agg->is_object()) continue;
    const json::value* sels = agg->get_object().if_contains("clusterRoleSelectors");
    if (!sels || !sels->is_array()) continue;
    json::array rules;
    for (const auto& [other, otherRole] : roles) {
      if (other == name) continue;
      auto labels = labelsOf(otherRole);
      bool selected = std::any_of(sels->get_array().begin(), sels->get_array().end(),
                                  [&](const json::value& sel) {
                                    return sel.is_object() &&
                                           apiserver::rbac::selectorMatches(sel.get_object(), labels);
                                  });
      if (!selected) continue;
      const json::value* otherRules = otherRole.if_contains("rules");
      if (!otherRules || !otherRules->is_array()) continue;
      for (const auto& r : otherRules->get_array()) {
        if (std::find(rules.begin(), rules.end(), r) == rules.end()) rules.push_back(r);
      }
    }
    const json::value* current = role.if_contains("rules");
    if (current && current->is_array() && current->get_array() == rules) continue;
    if ((!current || current->is_null()) && rules.empty()) continue;
    json::object updated = role;
    updated["rules"] = std::move(rules);
    apiserver::WriteOptions write;
    auto done = co_await clusterRoles.update("", name, std::move(updated),
                                             apiserver::Subresource::None, write);
    if (!done && done.error().reason != Reason::Conflict &&
        done.error().reason != Reason::NotFound) {
      co_return std::move(done).error();
    }
    changed = true;
  }
  co_return changed;
}

}  // namespace

boost::asio::awaitable<Result<void>> aggregateClusterRoles(apiserver::Registry& clusterRoles) {
  for (int pass = 0; pass < 10; ++pass) {
    auto changed = co_await aggregateOnce(clusterRoles);
    if (!changed) co_return std::move(changed).error();
    if (!*changed) break;
  }
  co_return Result<void>{};
}

boost::asio::awaitable<void> runClusterRoleAggregation(apiserver::Registry& clusterRoles,
                                                       const std::atomic<bool>& stopping) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  storage::CacheWatcherPtr watcher;
  while (!stopping) {
    if (!watcher) {
      auto w = clusterRoles.cache().watch("", {}, 0, false);
      if (!w) {
        timer.expires_after(std::chrono::milliseconds(500));
        co_await timer.async_wait(boost::asio::use_awaitable);
        continue;
      }
      watcher = std::move(*w);
      // Changes between passes may have been missed: one pass now.
      if (auto ok = co_await aggregateClusterRoles(clusterRoles); !ok) {
        spdlog::warn("clusterrole aggregation: {}", ok.error().message);
      }
    }
    auto events = co_await watcher->next(std::chrono::seconds(1));
    if (!events) {
      watcher.reset();
      continue;
    }
    bool changes = std::any_of(events->begin(), events->end(), [](const storage::WatchEvent& e) {
      return e.type != storage::WatchEvent::Type::Bookmark;
    });
    if (!changes) continue;
    if (auto ok = co_await aggregateClusterRoles(clusterRoles); !ok) {
      spdlog::warn("clusterrole aggregation: {}", ok.error().message);
    }
  }
}

}  // namespace kcpp::cmd
