#include "controllers/volume/persistentvolume/pv_util.h"

#include <algorithm>

#include "api/meta/object.h"
#include "api/validation/workload_common.h"

namespace kcpp::controllers::volume {

using api::validation::Quantity;

std::string str(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

std::string annotation(const json::object& obj, const std::string& key) {
  const json::object* meta = api::findObject(obj, "metadata");
  const json::object* annotations = meta ? api::findObject(*meta, "annotations") : nullptr;
  return annotations ? std::string(api::getString(*annotations, key)) : "";
}

void setAnnotation(json::object& obj, const std::string& key, const std::string& value) {
  api::ensureObject(api::ensureObject(obj, "metadata"), "annotations")[key] = value;
}

std::string claimClass(const json::object& claim) {
  const json::value* name = api::findPath(claim, "spec.storageClassName");
  if (name && name->is_string()) return std::string(name->get_string());
  return annotation(claim, "volume.beta.kubernetes.io/storage-class");
}

std::string volumeClass(const json::object& volume) {
  const json::value* name = api::findPath(volume, "spec.storageClassName");
  if (name && name->is_string()) return std::string(name->get_string());
  return annotation(volume, "volume.beta.kubernetes.io/storage-class");
}

namespace {

Quantity quantityAt(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  std::optional<Quantity> q = v ? Quantity::fromJson(*v) : std::nullopt;
  return q ? *q : Quantity::fromInt(0);
}

std::vector<std::string> stringsAt(const json::object& obj, std::string_view path) {
  std::vector<std::string> out;
  const json::value* v = api::findPath(obj, path);
  if (!v || !v->is_array()) return out;
  for (const json::value& item : v->get_array()) {
    if (item.is_string()) out.emplace_back(item.get_string());
  }
  return out;
}

std::string volumeModeOf(const json::object& obj) {
  std::string mode = str(obj, "spec.volumeMode");
  return mode.empty() ? "Filesystem" : mode;
}

// One NodeSelectorRequirement against the node's labels.
bool requirementHolds(const json::object& req, const std::map<std::string, std::string>& labels) {
  std::string key(api::getString(req, "key"));
  std::string op(api::getString(req, "operator"));
  auto found = labels.find(key);
  std::vector<std::string> values = stringsAt(req, "values");
  bool listed = found != labels.end() && std::find(values.begin(), values.end(), found->second) != values.end();
  if (op == "In") return listed;
  if (op == "NotIn") return !listed;
  if (op == "Exists") return found != labels.end();
  if (op == "DoesNotExist") return found == labels.end();
  return false;  // Gt/Lt are not used by volume affinities kcpp writes
}

}  // namespace

Quantity claimRequest(const json::object& claim) { return quantityAt(claim, "spec.resources.requests.storage"); }
Quantity volumeCapacity(const json::object& volume) { return quantityAt(volume, "spec.capacity.storage"); }

std::optional<std::string> volumeMismatch(const json::object& volume, const json::object& claim) {
  if (volumeClass(volume) != claimClass(claim)) return "storageClassName does not match";
  if (volumeModeOf(volume) != volumeModeOf(claim)) return "incompatible volumeMode";
  std::vector<std::string> offered = stringsAt(volume, "spec.accessModes");
  for (const std::string& mode : stringsAt(claim, "spec.accessModes")) {
    if (std::find(offered.begin(), offered.end(), mode) == offered.end()) return "incompatible accessMode";
  }
  if (volumeCapacity(volume) < claimRequest(claim)) return "requested PV is too small";
  const json::value* selector = api::findPath(claim, "spec.selector");
  if (selector && selector->is_object() &&
      !api::validation::selectorMatchesLabels(selector, api::findPath(volume, "metadata.labels"))) {
    return "selector does not match the volume's labels";
  }
  return std::nullopt;
}

bool volumeFitsNode(const json::object& volume, const json::object* node, const std::string& nodeName) {
  const json::value* terms = api::findPath(volume, "spec.nodeAffinity.required.nodeSelectorTerms");
  if (!terms || !terms->is_array() || terms->get_array().empty()) return true;
  std::map<std::string, std::string> labels;
  if (node) labels = api::metaLabels(*node);
  if (!labels.count(kLabelHostname)) labels[kLabelHostname] = nodeName;
  // Terms are ORed, the requirements of one term ANDed.
  for (const json::value& term : terms->get_array()) {
    if (!term.is_object()) continue;
    const json::value* exprs = api::findPath(term.get_object(), "matchExpressions");
    if (!exprs || !exprs->is_array()) continue;
    bool all = true;
    for (const json::value& req : exprs->get_array()) {
      if (!req.is_object() || !requirementHolds(req.get_object(), labels)) all = false;
    }
    if (all) return true;
  }
  return false;
}

bool claimRefMatches(const json::object& volume, const json::object& claim) {
  const json::value* refValue = api::findPath(volume, "spec.claimRef");
  const json::object* ref = refValue && refValue->is_object() ? &refValue->get_object() : nullptr;
  if (!ref) return false;
  if (api::getString(*ref, "name") != api::metaName(claim)) return false;
  if (api::getString(*ref, "namespace") != api::metaNamespace(claim)) return false;
  std::string_view uid = api::getString(*ref, "uid");
  return uid.empty() || uid == str(claim, "metadata.uid");
}

client::ObjectPtr findBestMatch(const std::vector<client::ObjectPtr>& volumes, const json::object& claim,
                                bool delayBinding, const json::object* node, const std::string& nodeName) {
  client::ObjectPtr best;
  for (const client::ObjectPtr& volume : volumes) {
    if (api::findPath(*volume, "metadata.deletionTimestamp")) continue;
    if (volumeMismatch(*volume, claim)) continue;
    if (!nodeName.empty() && !volumeFitsNode(*volume, node, nodeName)) continue;
    if (claimRefMatches(*volume, claim)) return volume;  // pre-bound to this claim wins
    if (api::findPath(*volume, "spec.claimRef")) continue;
    if (str(*volume, "status.phase") != "Available" && !str(*volume, "status.phase").empty()) continue;
    if (delayBinding && nodeName.empty()) continue;
    if (!best || volumeCapacity(*volume) < volumeCapacity(*best)) best = volume;
  }
  return best;
}

}  // namespace kcpp::controllers::volume
