#include "controllers/common/controller_utils.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "api/meta/object.h"

namespace kcpp::controllers {

namespace {

using SysClock = std::chrono::system_clock;

std::string str(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

std::optional<SysClock::time_point> readySince(const json::object& pod) {
  const json::value* conditions = api::findPath(pod, "status.conditions");
  if (!conditions || !conditions->is_array()) return std::nullopt;
  for (const auto& c : conditions->get_array()) {
    if (!c.is_object()) continue;
    const json::object& cond = c.get_object();
    if (api::getString(cond, "type") != "Ready") continue;
    if (api::getString(cond, "status") != "True") return std::nullopt;
    return api::parseTime(api::getString(cond, "lastTransitionTime"));
  }
  return std::nullopt;
}

int phaseRank(const json::object& pod) {
  std::string phase = str(pod, "status.phase");
  if (phase == "Pending" || phase.empty()) return 0;
  if (phase == "Unknown") return 1;
  return 2;  // Running
}

std::int64_t restarts(const json::object& pod) {
  std::int64_t most = 0;
  const json::value* statuses = api::findPath(pod, "status.containerStatuses");
  if (!statuses || !statuses->is_array()) return 0;
  for (const auto& s : statuses->get_array()) {
    const json::value* n = s.is_object() ? s.get_object().if_contains("restartCount") : nullptr;
    if (n && n->is_int64()) most = std::max(most, n->get_int64());
  }
  return most;
}

std::int64_t deletionCost(const json::object& pod) {
  // Annotation keys hold dots: read them from the map, not by a dotted path.
  const json::object* meta = api::findObject(pod, "metadata");
  const json::object* annotations = meta ? api::findObject(*meta, "annotations") : nullptr;
  std::string cost =
      annotations ? std::string(api::getString(*annotations, "controller.kubernetes.io/pod-deletion-cost")) : "";
  try {
    return cost.empty() ? 0 : std::stoll(cost);
  } catch (const std::exception&) {
    return 0;
  }
}

// Upstream's LogarithmicScaleDown: times compared by the power-of-two bucket of
// their age, so pods of similar age are equal and the other rules decide.
int logBucket(std::optional<SysClock::time_point> t, SysClock::time_point now) {
  if (!t) return -1;
  double age = std::chrono::duration<double>(now - *t).count();
  return age < 1 ? 0 : static_cast<int>(std::floor(std::log2(age)));
}

struct Ranked {
  PodPtr pod;
  int rank;
};

// True when a should be deleted before b (upstream's ActivePodsWithRanks.Less).
bool deleteFirst(const Ranked& ra, const Ranked& rb, SysClock::time_point now) {
  const json::object& a = *ra.pod;
  const json::object& b = *rb.pod;
  bool aAssigned = !str(a, "spec.nodeName").empty();
  bool bAssigned = !str(b, "spec.nodeName").empty();
  if (aAssigned != bAssigned) return !aAssigned;
  if (phaseRank(a) != phaseRank(b)) return phaseRank(a) < phaseRank(b);
  if (isPodReady(a) != isPodReady(b)) return !isPodReady(a);
  if (deletionCost(a) != deletionCost(b)) return deletionCost(a) < deletionCost(b);
  if (ra.rank != rb.rank) return ra.rank > rb.rank;
  if (isPodReady(a) && isPodReady(b)) {
    int ba = logBucket(readySince(a), now);
    int bb = logBucket(readySince(b), now);
    if (ba != bb) return ba < bb;  // ready for less time first
  }
  if (restarts(a) != restarts(b)) return restarts(a) > restarts(b);
  auto ca = api::parseTime(str(a, "metadata.creationTimestamp"));
  auto cb = api::parseTime(str(b, "metadata.creationTimestamp"));
  int ka = logBucket(ca, now);
  int kb = logBucket(cb, now);
  if (ka != kb) return ka < kb;  // newer first
  return false;
}

}  // namespace

std::optional<OwnerRef> controllerRef(const json::object& obj) {
  const json::value* refs = api::findPath(obj, "metadata.ownerReferences");
  if (!refs || !refs->is_array()) return std::nullopt;
  for (const auto& r : refs->get_array()) {
    if (!r.is_object()) continue;
    const json::object& ref = r.get_object();
    const json::value* controller = ref.if_contains("controller");
    if (!controller || !controller->is_bool() || !controller->get_bool()) continue;
    return OwnerRef{std::string(api::getString(ref, "apiVersion")),
                    std::string(api::getString(ref, "kind")), std::string(api::getString(ref, "name")),
                    std::string(api::getString(ref, "uid"))};
  }
  return std::nullopt;
}

json::object makeControllerRef(const json::object& owner, const std::string& apiVersion,
                               const std::string& kind) {
  return json::object{{"apiVersion", apiVersion},
                      {"kind", kind},
                      {"name", str(owner, "metadata.name")},
                      {"uid", str(owner, "metadata.uid")},
                      {"controller", true},
                      {"blockOwnerDeletion", true}};
}

std::vector<std::string> controllerUidIndex(const json::object& obj) {
  auto ref = controllerRef(obj);
  if (!ref || ref->uid.empty()) return {};
  return {ref->uid};
}

std::vector<std::string> orphanNamespaceIndex(const json::object& obj) {
  if (controllerRef(obj)) return {};
  const json::value* ns = api::findPath(obj, "metadata.namespace");
  return {ns && ns->is_string() ? std::string(ns->get_string()) : std::string()};
}

json::object podFromTemplate(const json::object& podTemplate, const json::object& owner,
                             const json::object& ownerRef) {
  json::object pod{{"apiVersion", "v1"}, {"kind", "Pod"}};
  json::object meta;
  const json::object* tmeta = api::findObject(podTemplate, "metadata");
  for (const char* field : {"labels", "annotations", "finalizers"}) {
    if (tmeta && tmeta->contains(field)) meta[field] = tmeta->at(field);
  }
  meta["generateName"] = str(owner, "metadata.name") + "-";
  meta["namespace"] = str(owner, "metadata.namespace");
  meta["ownerReferences"] = json::array{ownerRef};
  pod["metadata"] = std::move(meta);
  const json::value* spec = podTemplate.if_contains("spec");
  pod["spec"] = spec ? *spec : json::value(json::object());
  return pod;
}

bool isPodActive(const json::object& pod) {
  std::string phase = str(pod, "status.phase");
  return phase != "Succeeded" && phase != "Failed" &&
         !api::findPath(pod, "metadata.deletionTimestamp");
}

bool isPodReady(const json::object& pod) { return readySince(pod).has_value(); }

bool isPodAvailable(const json::object& pod, std::int64_t minReadySeconds,
                    SysClock::time_point now) {
  auto since = readySince(pod);
  if (!since) return false;
  return minReadySeconds == 0 || *since + std::chrono::seconds(minReadySeconds) <= now;
}

std::vector<PodPtr> podsToDelete(const std::vector<PodPtr>& pods,
                                 const std::vector<PodPtr>& relatedPods, std::size_t count) {
  if (count >= pods.size()) return pods;
  std::map<std::string, int> perNode;
  for (const PodPtr& p : relatedPods) {
    std::string node = str(*p, "spec.nodeName");
    if (!node.empty() && isPodActive(*p)) ++perNode[node];
  }
  std::vector<Ranked> ranked;
  for (const PodPtr& p : pods) {
    std::string node = str(*p, "spec.nodeName");
    ranked.push_back(Ranked{p, node.empty() ? 0 : perNode[node]});
  }
  auto now = SysClock::now();
  std::stable_sort(ranked.begin(), ranked.end(),
                   [now](const Ranked& a, const Ranked& b) { return deleteFirst(a, b, now); });
  std::vector<PodPtr> out;
  for (std::size_t i = 0; i < count; ++i) out.push_back(ranked[i].pod);
  return out;
}

}  // namespace kcpp::controllers
