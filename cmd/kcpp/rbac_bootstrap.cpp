#include "rbac_bootstrap.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "api/meta/object.h"
#include "apiserver/authz/rbac/bootstrappolicy/cluster_policy.h"
#include "apiserver/authz/rbac/bootstrappolicy/controller_policy.h"
#include "apiserver/authz/rbac/bootstrappolicy/namespace_policy.h"
#include "apiserver/authz/rbac/bootstrappolicy/policy_builders.h"
#include "apiserver/authz/rbac/bootstrappolicy/reconcile.h"
#include "apiserver/authz/rbac/rbac_authorizer.h"

namespace kcpp::cmd {

namespace json = boost::json;
namespace bootstrap = apiserver::rbac::bootstrap;

namespace {

enum class ObjectKind { Role, Binding };

// Before the Node authorizer, kcpp bound system:node to the group system:nodes;
// that grant is withdrawn from data dirs that still have it.
bool dropStopgapNodeSubject(json::object& current) {
  if (api::getString(*api::findObject(current, "metadata"), "name") != "system:node") return false;
  json::value* subjects = current.if_contains("subjects");
  if (!subjects || !subjects->is_array()) return false;
  json::array& list = subjects->get_array();
  auto stale = std::find(list.begin(), list.end(),
                         json::value(bootstrap::groupSubject("system:nodes")));
  if (stale == list.end()) return false;
  list.erase(stale);
  return true;
}

bootstrap::Reconciled reconcile(ObjectKind kind, const json::object& current,
                                const json::object& wanted) {
  if (kind == ObjectKind::Role) return bootstrap::reconcileRole(current, wanted);
  bootstrap::Reconciled result = bootstrap::reconcileBinding(current, wanted);
  if (result.isProtected || result.operation == bootstrap::ReconcileOperation::Recreate) {
    return result;
  }
  if (result.operation == bootstrap::ReconcileOperation::None) result.object = current;
  if (dropStopgapNodeSubject(result.object)) result.operation = bootstrap::ReconcileOperation::Update;
  return result;
}

// A binding's roleRef cannot change: upstream deletes and creates it again.
boost::asio::awaitable<Result<void>> recreate(apiserver::Registry& registry, const std::string& ns,
                                              const std::string& name, json::object wanted) {
  apiserver::DeleteOptions remove;  // named: GCC 12 mishandles `{}` temporaries in co_await
  auto removed = co_await registry.remove(ns, name, remove);
  if (!removed && removed.error().reason != Reason::NotFound) co_return std::move(removed).error();
  apiserver::WriteOptions create;
  auto created = co_await registry.create(ns, std::move(wanted), create);
  if (!created && created.error().reason != Reason::AlreadyExists) {
    co_return std::move(created).error();
  }
  co_return Result<void>{};
}

// Creates `wanted` if missing, else reconciles it as upstream (reconcile.h).
// Conflicts (someone wrote it meanwhile) are left to the next start, as before.
boost::asio::awaitable<Result<void>> ensure(apiserver::Registry& registry, ObjectKind kind,
                                            json::object wanted) {
  const json::object& meta = wanted.at("metadata").as_object();
  std::string ns(api::getString(meta, "namespace"));
  std::string name(api::getString(meta, "name"));
  auto found = co_await registry.get(ns, name);
  apiserver::WriteOptions options;  // named: GCC 12 mishandles `{}` temporaries in co_await
  if (!found) {
    if (found.error().reason != Reason::NotFound) co_return std::move(found).error();
    auto created = co_await registry.create(ns, std::move(wanted), options);
    if (!created && created.error().reason != Reason::AlreadyExists) {
      co_return std::move(created).error();
    }
    co_return Result<void>{};
  }
  boost::system::error_code ec;
  json::value parsed = json::parse(*found->json, ec);
  if (ec || !parsed.is_object()) co_return Result<void>{};
  bootstrap::Reconciled result = reconcile(kind, parsed.get_object(), wanted);
  if (result.isProtected || result.operation == bootstrap::ReconcileOperation::None) {
    co_return Result<void>{};
  }
  if (result.operation == bootstrap::ReconcileOperation::Recreate) {
    co_return co_await recreate(registry, ns, name, std::move(result.object));
  }
  auto updated = co_await registry.update(ns, name, std::move(result.object),
                                          apiserver::Subresource::None, options);
  if (!updated && updated.error().reason != Reason::Conflict) co_return std::move(updated).error();
  co_return Result<void>{};
}

// All at once: the objects are independent, and concurrent writes share the
// store's commits (a fresh data dir writes ~110 objects before the server is ready).
boost::asio::awaitable<Result<void>> ensureAll(apiserver::Registry& registry, ObjectKind kind,
                                               std::vector<json::object> objects) {
  auto executor = co_await boost::asio::this_coro::executor;
  using Ensure = decltype(boost::asio::co_spawn(executor, ensure(registry, kind, json::object{}),
                                                boost::asio::deferred));
  std::vector<Ensure> ensures;
  ensures.reserve(objects.size());
  for (auto& object : objects) {
    ensures.push_back(boost::asio::co_spawn(executor, ensure(registry, kind, std::move(object)),
                                            boost::asio::deferred));
  }
  auto group = boost::asio::experimental::make_parallel_group(std::move(ensures));
  auto waitForAll = boost::asio::experimental::wait_for_all();
  auto [order, exceptions, results] =
      co_await group.async_wait(waitForAll, boost::asio::use_awaitable);
  for (const auto& e : exceptions) {
    if (e) std::rethrow_exception(e);
  }
  for (auto& ok : results) {
    if (!ok) co_return std::move(ok);
  }
  co_return Result<void>{};
}

}  // namespace

boost::asio::awaitable<Result<void>> ensureRbacBootstrapPolicy(const RbacRegistries& rbac) {
  std::vector<json::object> controllerRoles = bootstrap::controllerRoles();
  std::vector<json::object> bindings = bootstrap::clusterRoleBindings();
  for (auto& b : bootstrap::controllerRoleBindings(controllerRoles)) bindings.push_back(std::move(b));
  std::vector<json::object> roles = bootstrap::clusterRoles();
  for (auto& role : controllerRoles) roles.push_back(std::move(role));
  if (auto ok = co_await ensureAll(rbac.clusterRoles, ObjectKind::Role, std::move(roles)); !ok) {
    co_return ok;
  }
  if (auto ok = co_await ensureAll(rbac.clusterRoleBindings, ObjectKind::Binding,
                                   std::move(bindings));
      !ok) {
    co_return ok;
  }
  // kube-system and kube-public exist: ensureSystemObjects ran before.
  std::vector<json::object> namespaceRoles = bootstrap::namespaceRoles();
  if (auto ok = co_await ensureAll(rbac.roles, ObjectKind::Role, std::move(namespaceRoles)); !ok) {
    co_return ok;
  }
  std::vector<json::object> namespaceBindings = bootstrap::namespaceRoleBindings();
  co_return co_await ensureAll(rbac.roleBindings, ObjectKind::Binding,
                               std::move(namespaceBindings));
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
