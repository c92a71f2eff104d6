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
#include <optional>
#include <string>
#include <vector>

#include "api/meta/object.h"
#include "apiserver/authz/rbac/bootstrappolicy/cluster_policy.h"
#include "apiserver/authz/rbac/bootstrappolicy/controller_policy.h"
#include "apiserver/authz/rbac/bootstrappolicy/addon_policy.h"
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
  if (dropStopgapNodeSubject(result.object)) {
    result.operation = bootstrap::ReconcileOperation::Update;
  }
  return result;
}

std::string keyOf(const json::object& object) {
  const json::value* meta = object.if_contains("metadata");
  if (!meta || !meta->is_object()) return {};
  return std::string(api::getString(meta->get_object(), "namespace")) + "/" +
         std::string(api::getString(meta->get_object(), "name"));
}

// The stored objects of a registry by namespace/name: one LIST of its watch cache
// instead of a GET per bootstrap object.
boost::asio::awaitable<Result<std::map<std::string, json::object>>> storedObjects(
    apiserver::Registry& registry) {
  storage::ListOptions options;  // named: GCC 12 mishandles `{}` temporaries in co_await
  auto listed = co_await registry.list("", options);
  if (!listed) co_return std::move(listed).error();
  std::map<std::string, json::object> stored;
  for (const auto& item : listed->items) {
    std::optional<json::object> object = item.parsedObject();
    if (object) stored.emplace(keyOf(*object), std::move(*object));
  }
  co_return stored;
}

enum class WriteKind { Create, Update, Recreate };

struct Write {
  WriteKind kind;
  json::object object;
};

// A binding's roleRef cannot change: upstream deletes and creates it again.
// Conflicts (someone wrote the object meanwhile) are left to the next start.
boost::asio::awaitable<Result<void>> write(apiserver::Registry& registry, Write w) {
  const json::object& meta = w.object.at("metadata").as_object();
  std::string ns(api::getString(meta, "namespace"));
  std::string name(api::getString(meta, "name"));
  apiserver::WriteOptions options;  // named: GCC 12 mishandles `{}` temporaries in co_await
  if (w.kind == WriteKind::Update) {
    auto updated = co_await registry.update(ns, name, std::move(w.object),
                                            apiserver::Subresource::None, options);
    if (!updated && updated.error().reason != Reason::Conflict) {
      co_return std::move(updated).error();
    }
    co_return Result<void>{};
  }
  if (w.kind == WriteKind::Recreate) {
    apiserver::DeleteOptions remove;
    auto removed = co_await registry.remove(ns, name, remove);
    if (!removed && removed.error().reason != Reason::NotFound) {
      co_return std::move(removed).error();
    }
  }
  auto created = co_await registry.create(ns, std::move(w.object), options);
  if (!created && created.error().reason != Reason::AlreadyExists) {
    co_return std::move(created).error();
  }
  co_return Result<void>{};
}

// What to write for each wanted object: a create when missing, else what
// reconciliation asks for (reconcile.h); nothing for most restarts.
std::vector<Write> writesFor(ObjectKind kind, std::vector<json::object> wanted,
                             const std::map<std::string, json::object>& stored) {
  std::vector<Write> writes;
  for (auto& object : wanted) {
    auto it = stored.find(keyOf(object));
    if (it == stored.end()) {
      writes.push_back(Write{WriteKind::Create, std::move(object)});
      continue;
    }
    bootstrap::Reconciled result = reconcile(kind, it->second, object);
    if (result.isProtected || result.operation == bootstrap::ReconcileOperation::None) continue;
    WriteKind writeKind = result.operation == bootstrap::ReconcileOperation::Recreate
                              ? WriteKind::Recreate
                              : WriteKind::Update;
    writes.push_back(Write{writeKind, std::move(result.object)});
  }
  return writes;
}

// Creates the missing objects and reconciles the others. The writes go out at
// once: they are independent, and concurrent writes share the store's commits (a
// fresh data dir writes ~120 objects before the server is ready).
boost::asio::awaitable<Result<void>> ensureAll(apiserver::Registry& registry, ObjectKind kind,
                                               std::vector<json::object> wanted) {
  auto stored = co_await storedObjects(registry);
  if (!stored) co_return std::move(stored).error();
  std::vector<Write> writes = writesFor(kind, std::move(wanted), *stored);
  if (writes.empty()) co_return Result<void>{};
  auto executor = co_await boost::asio::this_coro::executor;
  using Op = decltype(boost::asio::co_spawn(executor, write(registry, Write{}),
                                            boost::asio::deferred));
  std::vector<Op> ops;
  ops.reserve(writes.size());
  for (auto& w : writes) {
    ops.push_back(
        boost::asio::co_spawn(executor, write(registry, std::move(w)), boost::asio::deferred));
  }
  auto group = boost::asio::experimental::make_parallel_group(std::move(ops));
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
  for (auto& b : bootstrap::controllerRoleBindings(controllerRoles)) {
    bindings.push_back(std::move(b));
  }
  std::vector<json::object> roles = bootstrap::clusterRoles();
  for (auto& role : controllerRoles) roles.push_back(std::move(role));
  for (auto& role : bootstrap::addonClusterRoles()) roles.push_back(std::move(role));
  for (auto& b : bootstrap::addonClusterRoleBindings()) bindings.push_back(std::move(b));
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
