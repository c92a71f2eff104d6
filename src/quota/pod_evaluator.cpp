// Pods in quota (upstream pkg/quota/v1/evaluator/core/pods.go): compute
// resources from the containers' requests and limits, while the pod lives.
#include <algorithm>

#include "api/meta/object.h"
#include "quota/evaluator.h"

namespace kcpp::quota {

namespace {

const ResourceNames kPodResources = {
    "count/pods",      "cpu",          "memory",         "ephemeral-storage",
    "requests.cpu",    "requests.memory", "requests.ephemeral-storage",
    "limits.cpu",      "limits.memory",   "limits.ephemeral-storage", "pods"};

// Upstream's validationSet: a quota on these makes every container declare them
// (a historical mistake upstream keeps, and so do we).
const ResourceNames kMustDeclare = {"cpu",          "memory",        "requests.cpu",
                                    "requests.memory", "limits.cpu", "limits.memory"};

bool startsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Native resources: unprefixed, or under kubernetes.io/.
bool isNativeResource(std::string_view name) {
  return name.find('/') == std::string_view::npos ||
         name.find("kubernetes.io/") != std::string_view::npos;
}

// Extended resources as containers name them ("example.com/gpu").
bool isExtendedResourceName(std::string_view name) {
  return !isNativeResource(name) && !startsWith(name, "requests.");
}

// Extended resources as quotas name them ("requests.example.com/gpu").
bool isExtendedResourceNameForQuota(std::string_view name) {
  return !isNativeResource(name) && startsWith(name, "requests.");
}

const json::array* arrayAt(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_array() ? &v->get_array() : nullptr;
}

ResourceList containerList(const json::object& container, std::string_view which) {
  const json::object* resources = api::findObject(container, "resources");
  return resources ? parseResourceList(resources->if_contains(which)) : ResourceList{};
}

void maxInto(ResourceList& into, const ResourceList& from) {
  for (const auto& [name, q] : from) {
    auto [it, inserted] = into.emplace(name, q);
    if (!inserted && q > it->second) it->second = q;
  }
}

// resourcehelper.PodRequests / PodLimits: the containers' sum; init containers
// run one at a time beside the sidecars (restartPolicy Always) started before
// them, so the pod needs the larger of the two; plus the pod's overhead.
ResourceList podResources(const json::object& pod, std::string_view which) {
  ResourceList total;
  if (const json::array* containers = arrayAt(pod, "spec.containers")) {
    for (const auto& c : *containers) {
      if (c.is_object()) total = add(total, containerList(c.get_object(), which));
    }
  }
  ResourceList sidecars, initPeak;
  if (const json::array* inits = arrayAt(pod, "spec.initContainers")) {
    for (const auto& c : *inits) {
      if (!c.is_object()) continue;
      ResourceList own = containerList(c.get_object(), which);
      if (api::getString(c.get_object(), "restartPolicy") == "Always") {
        total = add(total, own);
        sidecars = add(sidecars, own);
        maxInto(initPeak, sidecars);
      } else {
        maxInto(initPeak, add(own, sidecars));
      }
    }
  }
  maxInto(total, initPeak);
  ResourceList overhead = parseResourceList(api::findPath(pod, "spec.overhead"));
  if (which == "requests") return add(total, overhead);
  // Limits get the overhead only where a limit is set.
  for (auto& [name, q] : total) {
    if (auto it = overhead.find(name); it != overhead.end()) q += it->second;
  }
  return total;
}

// podComputeUsageHelper: the quota names compute requests and limits map to.
ResourceList computeUsage(const ResourceList& requests, const ResourceList& limits) {
  ResourceList out;
  out["pods"] = Quantity::fromInt(1);
  for (const char* name : {"cpu", "memory", "ephemeral-storage"}) {
    if (auto it = requests.find(name); it != requests.end()) {
      out[name] = it->second;
      out[std::string("requests.") + name] = it->second;
    }
    if (auto it = limits.find(name); it != limits.end()) {
      out[std::string("limits.") + name] = it->second;
    }
  }
  for (const auto& [name, q] : requests) {
    if (startsWith(name, "hugepages-")) {
      out[name] = q;
      out["requests." + name] = q;
    }
    if (isExtendedResourceName(name)) out["requests." + name] = q;
  }
  return out;
}

// QuotaV1Pod: terminal pods, and pods past their deletion grace period (a lost
// node's), no longer count.
bool podCounts(const json::object& pod, Clock::time_point now) {
  std::string_view phase;
  if (const json::value* p = api::findPath(pod, "status.phase"); p && p->is_string()) {
    phase = p->get_string();
  }
  if (phase == "Failed" || phase == "Succeeded") return false;
  const json::value* deletion = api::findPath(pod, "metadata.deletionTimestamp");
  const json::value* grace = api::findPath(pod, "metadata.deletionGracePeriodSeconds");
  if (deletion && deletion->is_string() && grace && grace->is_int64()) {
    auto deleted = api::parseTime(deletion->get_string());
    if (deleted && now > *deleted + std::chrono::seconds(grace->get_int64())) return false;
  }
  return true;
}

bool hasComputeResources(const json::array* containers) {
  if (!containers) return false;
  for (const auto& c : *containers) {
    if (!c.is_object()) continue;
    for (const char* which : {"requests", "limits"}) {
      ResourceList list = containerList(c.get_object(), which);
      for (const char* name : {"cpu", "memory"}) {
        if (auto it = list.find(name); it != list.end() && !it->second.isZero()) return true;
      }
    }
  }
  return false;
}

// The QoS class recorded on create, else computed as upstream's ComputePodQOS.
bool isBestEffort(const json::object& pod) {
  const json::value* recorded = api::findPath(pod, "status.qosClass");
  if (recorded && recorded->is_string() && !recorded->get_string().empty()) {
    return recorded->get_string() == "BestEffort";
  }
  return !hasComputeResources(arrayAt(pod, "spec.containers")) &&
         !hasComputeResources(arrayAt(pod, "spec.initContainers"));
}

bool isTerminating(const json::object& pod) {
  const json::value* deadline = api::findPath(pod, "spec.activeDeadlineSeconds");
  return deadline && deadline->is_int64() && deadline->get_int64() >= 0;
}

bool crossNamespaceTerms(const json::value* terms, bool weighted) {
  if (!terms || !terms->is_array()) return false;
  for (const auto& t : terms->get_array()) {
    if (!t.is_object()) continue;
    const json::object* term = &t.get_object();
    if (weighted) term = api::findObject(*term, "podAffinityTerm");
    if (!term) continue;
    const json::value* namespaces = term->if_contains("namespaces");
    bool listed = namespaces && namespaces->is_array() && !namespaces->get_array().empty();
    const json::value* selector = term->if_contains("namespaceSelector");
    if (listed || (selector && !selector->is_null())) return true;
  }
  return false;
}

bool usesCrossNamespacePodAffinity(const json::object& pod) {
  for (const char* kind : {"spec.affinity.podAffinity", "spec.affinity.podAntiAffinity"}) {
    const json::value* affinity = api::findPath(pod, kind);
    if (!affinity || !affinity->is_object()) continue;
    const json::object& a = affinity->get_object();
    if (crossNamespaceTerms(a.if_contains("requiredDuringSchedulingIgnoredDuringExecution"), false) ||
        crossNamespaceTerms(a.if_contains("preferredDuringSchedulingIgnoredDuringExecution"), true)) {
      return true;
    }
  }
  return false;
}

// A PriorityClass scope selector, as the label selector {PriorityClass: name}
// (no label when the pod names no class).
bool priorityClassMatches(const ScopeSelector& selector, const json::object& pod) {
  std::string_view name;
  if (const json::value* v = api::findPath(pod, "spec.priorityClassName"); v && v->is_string()) {
    name = v->get_string();
  }
  bool listed = std::find(selector.values.begin(), selector.values.end(), name) !=
                selector.values.end();
  if (selector.op == "In") return !name.empty() && listed;
  if (selector.op == "NotIn") return name.empty() || !listed;
  if (selector.op == "DoesNotExist") return name.empty();
  return !name.empty();  // Exists (and spec.scopes' PriorityClass)
}

class PodEvaluator : public Evaluator {
 public:
  PodEvaluator() : Evaluator("", "pods") {}

  std::string constraints(const ResourceNames& required, const json::object& pod) const override;

  ResourceNames matchingResources(const ResourceNames& input) const override {
    ResourceNames out;
    for (const auto& name : input) {
      if (kPodResources.count(name) || startsWith(name, "hugepages-") ||
          startsWith(name, "requests.hugepages-") || isExtendedResourceNameForQuota(name)) {
        out.insert(name);
      }
    }
    return out;
  }

  bool matchesScope(const ScopeSelector& selector, const json::object& pod) const override {
    const std::string& scope = selector.scopeName;
    if (scope == "Terminating") return isTerminating(pod);
    if (scope == "NotTerminating") return !isTerminating(pod);
    if (scope == "BestEffort") return isBestEffort(pod);
    if (scope == "NotBestEffort") return !isBestEffort(pod);
    if (scope == "PriorityClass") return priorityClassMatches(selector, pod);
    if (scope == "CrossNamespacePodAffinity") return usesCrossNamespacePodAffinity(pod);
    return false;
  }

  ResourceList usage(const json::object& pod, Clock::time_point now) const override {
    // count/pods tracks every stored pod; the rest only pods that still run.
    ResourceList out{{"count/pods", Quantity::fromInt(1)}};
    if (!podCounts(pod, now)) return out;
    return add(out, computeUsage(podResources(pod, "requests"), podResources(pod, "limits")));
  }
};

std::string PodEvaluator::constraints(const ResourceNames& required,
                                      const json::object& pod) const {
  ResourceNames mustDeclare;
  for (const auto& name : required) {
    if (kMustDeclare.count(name)) mustDeclare.insert(name);
  }
  std::map<std::string, ResourceNames> missing;  // resource → containers lacking it
  for (const char* list : {"spec.containers", "spec.initContainers"}) {
    const json::array* containers = arrayAt(pod, list);
    if (!containers) continue;
    for (const auto& c : *containers) {
      if (!c.is_object()) continue;
      const json::object& container = c.get_object();
      ResourceList declared =
          computeUsage(containerList(container, "requests"), containerList(container, "limits"));
      for (const auto& name : mustDeclare) {
        if (!declared.count(name)) {
          missing[name].insert(std::string(api::getString(container, "name")));
        }
      }
    }
  }
  if (missing.empty()) return "";
  std::string out;
  for (const auto& [resource, containers] : missing) {
    if (!out.empty()) out += "; ";
    out += resource + " for: " + prettyPrintNames(containers);
  }
  return "must specify " + out;
}

}  // namespace

EvaluatorPtr makePodEvaluator() { return std::make_unique<PodEvaluator>(); }

}  // namespace kcpp::quota
