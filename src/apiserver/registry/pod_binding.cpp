#include "apiserver/registry/pod_binding.h"

#include "api/meta/object.h"
#include "api/meta/status.h"

namespace kcpp::apiserver {

namespace json = boost::json;

namespace {

std::string stringAt(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// ValidatePodBinding: the target must name a Node.
std::vector<Cause> bindingCauses(const json::object& binding) {
  std::vector<Cause> causes;
  std::string kind = stringAt(binding, "target.kind");
  if (!kind.empty() && kind != "Node") {
    causes.push_back(api::fieldNotSupported("target.kind", "\"" + kind + "\"", {"Node", "<empty>"}));
  }
  if (stringAt(binding, "target.name").empty()) causes.push_back(api::fieldRequired("target.name", ""));
  return causes;
}

// podutil.UpdatePodCondition: PodScheduled=True, its transition time moving
// only when the status changes.
void markScheduled(json::object& pod) {
  json::object& status = api::ensureObject(pod, "status");
  json::value& conditions = status["conditions"];
  if (!conditions.is_array()) conditions = json::array();
  for (json::value& c : conditions.get_array()) {
    if (!c.is_object() || api::getString(c.get_object(), "type") != "PodScheduled") continue;
    json::object& condition = c.get_object();
    if (api::getString(condition, "status") != "True") {
      condition["lastTransitionTime"] = api::nowTime();
    }
    condition["status"] = "True";
    condition.erase("reason");
    condition.erase("message");
    return;
  }
  conditions.get_array().push_back(json::object{{"type", "PodScheduled"},
                                                {"status", "True"},
                                                {"lastProbeTime", nullptr},
                                                {"lastTransitionTime", api::nowTime()}});
}

}  // namespace

Result<json::object> bindPod(const json::object& current, const json::object& binding) {
  std::string name(api::metaName(current));
  std::string bindingName(api::metaName(binding));
  if (bindingName != name) {
    return api::badRequest("name in URL does not match name in Binding object");
  }
  if (auto causes = bindingCauses(binding); !causes.empty()) {
    return api::invalid("Binding", "", name, std::move(causes));
  }
  std::string uid = stringAt(binding, "metadata.uid");
  std::string currentUid = stringAt(current, "metadata.uid");
  if (!uid.empty() && uid != currentUid) {
    return api::conflict("pods", "", name,
                         "Precondition failed: UID in precondition: " + uid +
                             ", UID in object meta: " + currentUid);
  }
  if (api::findPath(current, "metadata.deletionTimestamp")) {
    return api::conflict("pods/binding", "", name,
                         "pod " + name + " is being deleted, cannot be assigned to a host");
  }
  std::string node = stringAt(current, "spec.nodeName");
  if (!node.empty()) {
    return api::conflict("pods/binding", "", name,
                         "pod " + name + " is already assigned to node \"" + node + "\"");
  }
  json::object next = current;
  api::ensureObject(next, "spec")["nodeName"] = stringAt(binding, "target.name");
  if (const json::object* annotations = api::findObject(*api::findObject(binding, "metadata"), "annotations")) {
    json::object& mine = api::ensureObject(api::ensureObject(next, "metadata"), "annotations");
    for (const auto& kv : *annotations) mine[kv.key()] = kv.value();
  }
  markScheduled(next);
  return next;
}

}  // namespace kcpp::apiserver
