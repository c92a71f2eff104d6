#include "apiserver/registry/namespaces/namespace_strategy.h"

#include "api/meta/object.h"

namespace kcpp::apiserver {

namespace {

void setNameLabel(json::object& obj) {
  json::object& meta = api::ensureObject(obj, "metadata");
  std::string name(api::getString(meta, "name"));
  api::ensureObject(meta, "labels")["kubernetes.io/metadata.name"] = name;
}

bool specHasFinalizers(const json::object& obj) {
  const json::value* f = api::findPath(obj, "spec.finalizers");
  return f && f->is_array() && !f->get_array().empty();
}

}  // namespace

void NamespaceStrategy::prepareForCreate(json::object& obj) const {
  json::object& spec = api::ensureObject(obj, "spec");
  json::value& finalizers = spec["finalizers"];
  if (!finalizers.is_array()) finalizers = json::array();
  bool hasKubernetes = false;
  for (const auto& f : finalizers.get_array()) hasKubernetes |= f == "kubernetes";
  if (!hasKubernetes) finalizers.get_array().push_back("kubernetes");
  api::ensureObject(obj, "status")["phase"] = "Active";
  setNameLabel(obj);
}

void NamespaceStrategy::prepareForUpdate(json::object& obj, const json::object& old) const {
  // spec.finalizers changes only through /finalize.
  const json::value* oldFinalizers = api::findPath(old, "spec.finalizers");
  json::object& spec = api::ensureObject(obj, "spec");
  if (oldFinalizers) spec["finalizers"] = *oldFinalizers;
  else spec.erase("finalizers");
  setNameLabel(obj);
}

bool NamespaceStrategy::keepOnDelete(json::object& obj) const {
  if (!specHasFinalizers(obj)) return false;
  json::object& meta = api::ensureObject(obj, "metadata");
  if (!meta.contains("deletionTimestamp")) {
    meta["deletionTimestamp"] = api::nowTime();
    meta["deletionGracePeriodSeconds"] = 0;
  }
  api::ensureObject(obj, "status")["phase"] = "Terminating";
  return true;
}

}  // namespace kcpp::apiserver
