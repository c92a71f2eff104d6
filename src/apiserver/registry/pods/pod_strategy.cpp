#include "apiserver/registry/pods/pod_strategy.h"

#include "api/meta/object.h"

namespace kcpp::apiserver {

namespace {

// requests/limits of one container, for the resources QoS looks at.
struct ContainerResources {
  std::map<std::string, std::string> requests, limits;
};

std::map<std::string, std::string> quantities(const json::object* obj) {
  std::map<std::string, std::string> out;
  if (!obj) return out;
  for (const auto& kv : *obj) {
    if (kv.key() != "cpu" && kv.key() != "memory") continue;
    out[std::string(kv.key())] = kv.value().is_string() ? std::string(kv.value().get_string())
                                                         : json::serialize(kv.value());
  }
  return out;
}

std::vector<ContainerResources> containerResources(const json::object& pod) {
  std::vector<ContainerResources> out;
  for (const char* list : {"spec.containers", "spec.initContainers"}) {
    const json::value* containers = api::findPath(pod, list);
    if (!containers || !containers->is_array()) continue;
    for (const auto& c : containers->get_array()) {
      if (!c.is_object()) continue;
      const json::object* res = api::findObject(c.get_object(), "resources");
      ContainerResources r;
      if (res) {
        r.requests = quantities(api::findObject(*res, "requests"));
        r.limits = quantities(api::findObject(*res, "limits"));
        // An unset request defaults to the limit (upstream defaulting).
        for (const auto& [k, v] : r.limits) r.requests.emplace(k, v);
      }
      out.push_back(std::move(r));
    }
  }
  return out;
}

}  // namespace

std::string qosClass(const json::object& pod) {
  auto containers = containerResources(pod);
  bool any = false, guaranteed = !containers.empty();
  for (const auto& c : containers) {
    any = any || !c.requests.empty() || !c.limits.empty();
    for (const char* r : {"cpu", "memory"}) {
      auto req = c.requests.find(r);
      auto lim = c.limits.find(r);
      if (lim == c.limits.end() || req == c.requests.end() || req->second != lim->second) {
        guaranteed = false;
      }
    }
  }
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

void PodStrategy::prepareForCreate(json::object& obj) const {
  // v1's deprecated spec.serviceAccount reads back as serviceAccountName (after
  // the ServiceAccount admission plugin has set it), as upstream's conversion.
  if (json::object* spec = api::findObject(obj, "spec")) {
    std::string_view account = api::getString(*spec, "serviceAccountName");
    if (!account.empty()) (*spec)["serviceAccount"] = account;
  }
  json::object status;
  status["phase"] = "Pending";
  status["qosClass"] = qosClass(obj);
  obj["status"] = std::move(status);
}

void PodStrategy::prepareForUpdate(json::object& obj, const json::object& old) const {
  // serviceAccountName cannot change, nor so its deprecated mirror.
  json::object* spec = api::findObject(obj, "spec");
  const json::object* oldSpec = api::findObject(old, "spec");
  if (!spec || !oldSpec) return;
  if (auto it = oldSpec->find("serviceAccount"); it != oldSpec->end()) {
    (*spec)["serviceAccount"] = it->value();
  } else {
    spec->erase("serviceAccount");
  }
}

std::int64_t PodStrategy::gracePeriod(const json::object& obj,
                                      const DeleteOptions& options) const {
  // A pod no node runs (unscheduled, or finished) goes at once, as upstream.
  const json::value* node = api::findPath(obj, "spec.nodeName");
  if (!node || !node->is_string() || node->get_string().empty()) return 0;
  const json::value* phase = api::findPath(obj, "status.phase");
  if (phase && phase->is_string() &&
      (phase->get_string() == "Succeeded" || phase->get_string() == "Failed")) {
    return 0;
  }
  // Negative periods mean one second, as upstream's BeforeDelete and
  // CheckGracefulDelete treat them.
  if (options.gracePeriodSeconds) {
    return *options.gracePeriodSeconds < 0 ? 1 : *options.gracePeriodSeconds;
  }
  const json::value* grace = api::findPath(obj, "spec.terminationGracePeriodSeconds");
  if (grace && grace->is_int64()) return grace->get_int64() < 0 ? 1 : grace->get_int64();
  return 30;
}

}  // namespace kcpp::apiserver
