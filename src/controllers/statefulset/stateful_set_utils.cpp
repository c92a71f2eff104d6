#include "controllers/statefulset/stateful_set_utils.h"

#include <cctype>

#include "api/meta/object.h"
#include "controllers/common/controller_utils.h"
#include "controllers/history/controller_history.h"

namespace kcpp::controllers::statefulset {

std::string str(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

std::int64_t num(const json::object& obj, std::string_view path, std::int64_t fallback) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_int64() ? v->get_int64() : fallback;
}

namespace {

// Label values by key, read from the map (keys hold dots and slashes).
std::string label(const json::object& obj, const std::string& key) {
  auto labels = api::metaLabels(obj);
  auto it = labels.find(key);
  return it == labels.end() ? "" : it->second;
}

json::object& ensure(json::object& obj, const char* key) {
  json::value& v = obj[key];
  if (!v.is_object()) v = json::object();
  return v.get_object();
}

}  // namespace

ParentOrdinal parentAndOrdinal(const std::string& name) {
  std::size_t dash = name.rfind('-');
  if (dash == std::string::npos || dash + 1 == name.size()) return {};
  std::string digits = name.substr(dash + 1);
  for (char c : digits) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return {};
  }
  try {
    return ParentOrdinal{name.substr(0, dash), std::stoll(digits)};
  } catch (const std::exception&) {
    return {};
  }
}

std::int64_t startOrdinal(const json::object& set) { return num(set, "spec.ordinals.start", 0); }
std::int64_t replicaCount(const json::object& set) { return num(set, "spec.replicas", 1); }
bool allowsBurst(const json::object& set) { return str(set, "spec.podManagementPolicy") == "Parallel"; }
bool isOnDelete(const json::object& set) { return str(set, "spec.updateStrategy.type") == "OnDelete"; }
std::int64_t partition(const json::object& set) {
  return num(set, "spec.updateStrategy.rollingUpdate.partition", 0);
}

std::string podName(const json::object& set, std::int64_t ordinal) {
  return str(set, "metadata.name") + "-" + std::to_string(ordinal);
}

std::string claimName(const json::object& claimTemplate, const json::object& set, std::int64_t ordinal) {
  return str(claimTemplate, "metadata.name") + "-" + podName(set, ordinal);
}

std::vector<json::object> claimTemplates(const json::object& set) {
  std::vector<json::object> out;
  const json::value* templates = api::findPath(set, "spec.volumeClaimTemplates");
  if (!templates || !templates->is_array()) return out;
  for (const auto& t : templates->get_array()) {
    if (t.is_object()) out.push_back(t.get_object());
  }
  return out;
}

std::vector<json::object> claimsFor(const json::object& set, std::int64_t ordinal) {
  std::vector<json::object> out;
  for (json::object claim : claimTemplates(set)) {
    json::object& meta = ensure(claim, "metadata");
    meta["name"] = claimName(claim, set, ordinal);
    meta["namespace"] = str(set, "metadata.namespace");
    // The set's matchLabels are added so the claims can be found by its selector.
    json::object& labels = ensure(meta, "labels");
    if (const json::value* ml = api::findPath(set, "spec.selector.matchLabels"); ml && ml->is_object()) {
      for (const auto& kv : ml->get_object()) labels[kv.key()] = kv.value();
    }
    claim["apiVersion"] = "v1";
    claim["kind"] = "PersistentVolumeClaim";
    claim.erase("status");
    out.push_back(std::move(claim));
  }
  return out;
}

void updateIdentity(const json::object& set, json::object& pod) {
  std::int64_t ordinal = parentAndOrdinal(str(pod, "metadata.name")).ordinal;
  json::object& meta = ensure(pod, "metadata");
  meta["name"] = podName(set, ordinal);
  meta["namespace"] = str(set, "metadata.namespace");
  json::object& labels = ensure(meta, "labels");
  labels[kPodNameLabel] = podName(set, ordinal);
  labels[kPodIndexLabel] = std::to_string(ordinal);
  json::object& spec = ensure(pod, "spec");
  spec["hostname"] = podName(set, ordinal);
  std::string service = str(set, "spec.serviceName");
  if (!service.empty()) spec["subdomain"] = service;
}

namespace {

// One volume per claim template, pointing at the ordinal's PVC; template
// volumes of the same name are replaced.
void updateStorage(const json::object& set, json::object& pod, std::int64_t ordinal) {
  auto templates = claimTemplates(set);
  if (templates.empty()) return;
  json::object& spec = ensure(pod, "spec");
  json::array kept;
  if (const json::value* v = spec.if_contains("volumes"); v && v->is_array()) {
    for (const auto& vol : v->get_array()) {
      bool replaced = false;
      for (const auto& t : templates) {
        replaced |= vol.is_object() && api::getString(vol.get_object(), "name") == str(t, "metadata.name");
      }
      if (!replaced) kept.push_back(vol);
    }
  }
  json::array volumes;
  for (const auto& t : templates) {
    volumes.push_back(json::object{
        {"name", str(t, "metadata.name")},
        {"persistentVolumeClaim", json::object{{"claimName", claimName(t, set, ordinal)}}}});
  }
  for (auto& v : kept) volumes.push_back(std::move(v));
  spec["volumes"] = std::move(volumes);
}

}  // namespace

json::object newStatefulSetPod(const json::object& set, std::int64_t ordinal, const std::string& revision) {
  json::object templ;
  if (const json::value* t = api::findPath(set, "spec.template"); t && t->is_object()) templ = t->get_object();
  json::object pod = podFromTemplate(templ, set, makeControllerRef(set, "apps/v1", "StatefulSet"));
  pod["metadata"].as_object()["name"] = podName(set, ordinal);
  updateIdentity(set, pod);
  updateStorage(set, pod, ordinal);
  ensure(ensure(pod, "metadata"), "labels")[history::kRevisionHashLabel] = revision;
  return pod;
}

std::string podRevision(const json::object& pod) { return label(pod, history::kRevisionHashLabel); }

bool identityMatches(const json::object& set, const json::object& pod) {
  std::string name = str(pod, "metadata.name");
  ParentOrdinal po = parentAndOrdinal(name);
  return po.ordinal >= 0 && po.parent == str(set, "metadata.name") && name == podName(set, po.ordinal) &&
         str(pod, "metadata.namespace") == str(set, "metadata.namespace") &&
         label(pod, kPodNameLabel) == name && label(pod, kPodIndexLabel) == std::to_string(po.ordinal);
}

bool storageMatches(const json::object& set, const json::object& pod) {
  std::int64_t ordinal = parentAndOrdinal(str(pod, "metadata.name")).ordinal;
  if (ordinal < 0) return false;
  const json::value* volumes = api::findPath(pod, "spec.volumes");
  for (const auto& t : claimTemplates(set)) {
    bool found = false;
    if (volumes && volumes->is_array()) {
      for (const auto& v : volumes->get_array()) {
        if (!v.is_object() || api::getString(v.get_object(), "name") != str(t, "metadata.name")) continue;
        found = str(v.get_object(), "persistentVolumeClaim.claimName") == claimName(t, set, ordinal);
      }
    }
    if (!found) return false;
  }
  return true;
}

bool isCreated(const json::object& pod) { return !str(pod, "metadata.uid").empty(); }
bool isTerminating(const json::object& pod) { return api::findPath(pod, "metadata.deletionTimestamp") != nullptr; }
bool isFailed(const json::object& pod) { return str(pod, "status.phase") == "Failed"; }
bool isSucceeded(const json::object& pod) { return str(pod, "status.phase") == "Succeeded"; }

bool isRunningAndReady(const json::object& pod) {
  return str(pod, "status.phase") == "Running" && isPodReady(pod);
}

bool isRunningAndAvailable(const json::object& pod, std::int64_t minReadySeconds,
                           std::chrono::system_clock::time_point now) {
  return str(pod, "status.phase") == "Running" && isPodAvailable(pod, minReadySeconds, now);
}

bool isHealthy(const json::object& pod) { return isRunningAndReady(pod) && !isTerminating(pod); }

json::object applyRevision(const json::object& set, const json::object& revision) {
  json::object out = set;
  out["spec"].as_object()["template"] = history::templateFromRevision(revision);
  return out;
}

}  // namespace kcpp::controllers::statefulset
