#include "quota/resource_quota.h"

#include "api/meta/object.h"

namespace kcpp::quota {

namespace {

std::vector<std::string> strings(const json::value* v) {
  std::vector<std::string> out;
  if (!v || !v->is_array()) return out;
  for (const auto& item : v->get_array()) {
    if (item.is_string()) out.emplace_back(item.get_string());
  }
  return out;
}

}  // namespace

std::vector<ScopeSelector> ResourceQuota::allSelectors() const {
  std::vector<ScopeSelector> out;
  for (const auto& scope : scopes) out.push_back({scope, "Exists", {}});
  out.insert(out.end(), selectors.begin(), selectors.end());
  return out;
}

ResourceQuota parseResourceQuota(const json::object& obj) {
  ResourceQuota q;
  q.name = std::string(api::metaName(obj));
  q.ns = std::string(api::metaNamespace(obj));
  q.resourceVersion = std::string(api::metaResourceVersion(obj));
  q.specHard = parseResourceList(api::findPath(obj, "spec.hard"));
  const json::value* hard = api::findPath(obj, "status.hard");
  const json::value* used = api::findPath(obj, "status.used");
  q.hasStatusHard = hard && hard->is_object();
  q.hasStatusUsed = used && used->is_object();
  q.hard = parseResourceList(hard);
  q.used = parseResourceList(used);
  q.scopes = strings(api::findPath(obj, "spec.scopes"));
  const json::value* exprs = api::findPath(obj, "spec.scopeSelector.matchExpressions");
  if (exprs && exprs->is_array()) {
    for (const auto& e : exprs->get_array()) {
      if (!e.is_object()) continue;
      const json::object& x = e.get_object();
      q.selectors.push_back({std::string(api::getString(x, "scopeName")),
                             std::string(api::getString(x, "operator")),
                             strings(x.if_contains("values"))});
    }
  }
  return q;
}

}  // namespace kcpp::quota
