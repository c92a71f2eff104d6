#include "scheduler/framework/pod_info.h"

#include <algorithm>
#include <cstdlib>

#include "api/meta/object.h"
#include "api/selectors/label_selector_json.h"

namespace kcpp::scheduler {

namespace json = boost::json;

namespace {

std::string str(const json::object& obj, std::string_view key) {
  return std::string(api::getString(obj, key));
}

const json::array* arrayAt(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_array() ? &v->get_array() : nullptr;
}

template <class F>
void eachObject(const json::array* list, F&& f) {
  if (!list) return;
  for (const json::value& v : *list) {
    if (v.is_object()) f(v.get_object());
  }
}

std::vector<std::string> strings(const json::array* list) {
  std::vector<std::string> out;
  if (!list) return out;
  for (const json::value& v : *list) {
    if (v.is_string()) out.emplace_back(v.get_string());
  }
  return out;
}

std::int32_t intAt(const json::object& obj, std::string_view key, std::int32_t fallback) {
  const json::value* v = obj.if_contains(key);
  return v && v->is_int64() ? static_cast<std::int32_t>(v->get_int64()) : fallback;
}

std::vector<NodeSelectorRequirement> requirements(const json::array* list) {
  std::vector<NodeSelectorRequirement> out;
  eachObject(list, [&](const json::object& r) {
    out.push_back({str(r, "key"), str(r, "operator"), strings(arrayAt(r, "values"))});
  });
  return out;
}

NodeSelectorTerm nodeSelectorTerm(const json::object& term) {
  return {requirements(arrayAt(term, "matchExpressions")), requirements(arrayAt(term, "matchFields"))};
}

selectors::LabelSelector selectorAt(const json::object& obj, std::string_view key) {
  const json::value* v = obj.if_contains(key);
  if (!v) return selectors::LabelSelector::nothing();
  auto parsed = selectors::labelSelectorFromJson(*v);
  return parsed ? std::move(*parsed) : selectors::LabelSelector::nothing();
}

PodAffinityTerm affinityTerm(const json::object& t) {
  PodAffinityTerm term;
  term.selector = selectorAt(t, "labelSelector");
  term.namespaces = strings(arrayAt(t, "namespaces"));
  const json::value* nsSelector = t.if_contains("namespaceSelector");
  term.allNamespaces = nsSelector && nsSelector->is_object() && nsSelector->get_object().empty();
  term.topologyKey = str(t, "topologyKey");
  return term;
}

void affinityTerms(const json::object& affinity, std::string_view kind,
                   std::vector<PodAffinityTerm>& required,
                   std::vector<WeightedPodAffinityTerm>& preferred) {
  const json::object* a = api::findObject(affinity, kind);
  if (!a) return;
  eachObject(arrayAt(*a, "requiredDuringSchedulingIgnoredDuringExecution"),
             [&](const json::object& t) { required.push_back(affinityTerm(t)); });
  eachObject(arrayAt(*a, "preferredDuringSchedulingIgnoredDuringExecution"),
             [&](const json::object& w) {
               const json::object* t = api::findObject(w, "podAffinityTerm");
               if (t) preferred.push_back({intAt(w, "weight", 0), affinityTerm(*t)});
             });
}

void parseAffinity(const json::object& spec, PodInfo& info) {
  const json::object* affinity = api::findObject(spec, "affinity");
  if (!affinity) return;
  if (const json::object* node = api::findObject(*affinity, "nodeAffinity")) {
    if (const json::object* required =
            api::findObject(*node, "requiredDuringSchedulingIgnoredDuringExecution")) {
      std::vector<NodeSelectorTerm> terms;
      eachObject(arrayAt(*required, "nodeSelectorTerms"),
                 [&](const json::object& t) { terms.push_back(nodeSelectorTerm(t)); });
      info.requiredNodeAffinity = std::move(terms);
    }
    eachObject(arrayAt(*node, "preferredDuringSchedulingIgnoredDuringExecution"),
               [&](const json::object& p) {
                 const json::object* t = api::findObject(p, "preference");
                 if (t) info.preferredNodeAffinity.push_back({intAt(p, "weight", 0), nodeSelectorTerm(*t)});
               });
  }
  affinityTerms(*affinity, "podAffinity", info.requiredAffinity, info.preferredAffinity);
  affinityTerms(*affinity, "podAntiAffinity", info.requiredAntiAffinity, info.preferredAntiAffinity);
}

// Requests as upstream's resource.PodRequests: the sum over containers, at
// least each init container's (restartable "sidecar" init containers add to
// both), plus spec.overhead. nonZero uses the scoring defaults per container.
void parseRequests(const json::object& spec, PodInfo& info) {
  Resources sum, nonZero, sidecars;
  auto requestsOf = [](const json::object& c) {
    return parseResourceList(api::findObject(c, "resources") ? api::findObject(*api::findObject(c, "resources"), "requests") : nullptr);
  };
  auto withDefaults = [](Resources r) {
    if (r.milliCpu == 0) r.milliCpu = kDefaultMilliCpuRequest;
    if (r.memory == 0) r.memory = kDefaultMemoryRequest;
    return r;
  };
  eachObject(arrayAt(spec, "containers"), [&](const json::object& c) {
    Resources r = requestsOf(c);
    sum.add(r);
    nonZero.add(withDefaults(r));
    eachObject(arrayAt(c, "ports"), [&](const json::object& p) {
      std::int32_t hostPort = intAt(p, "hostPort", 0);
      if (hostPort <= 0) return;
      std::string protocol = str(p, "protocol");
      info.hostPorts.push_back({protocol.empty() ? "TCP" : protocol, str(p, "hostIP"), hostPort});
    });
    std::string image = str(c, "image");
    if (!image.empty()) info.images.push_back(image);
  });
  Resources initMax, initNonZeroMax;
  eachObject(arrayAt(spec, "initContainers"), [&](const json::object& c) {
    Resources r = requestsOf(c);
    if (str(c, "restartPolicy") == "Always") {
      sidecars.add(r);
      sum.add(r);
      nonZero.add(withDefaults(r));
      return;
    }
    Resources withSidecars = r;
    withSidecars.add(sidecars);
    initMax.setMax(withSidecars);
    Resources nz = withDefaults(r);
    nz.add(sidecars);
    initNonZeroMax.setMax(nz);
  });
  sum.setMax(initMax);
  nonZero.setMax(initNonZeroMax);
  Resources overhead = parseResourceList(api::findObject(spec, "overhead"));
  sum.add(overhead);
  nonZero.add(overhead);
  info.requests = std::move(sum);
  info.nonZeroRequests = std::move(nonZero);
}

void parseSpreadConstraints(const json::object& spec, PodInfo& info) {
  eachObject(arrayAt(spec, "topologySpreadConstraints"), [&](const json::object& c) {
    TopologySpreadConstraint t;
    t.maxSkew = intAt(c, "maxSkew", 1);
    t.topologyKey = str(c, "topologyKey");
    t.doNotSchedule = str(c, "whenUnsatisfiable") != "ScheduleAnyway";
    t.selector = selectorAt(c, "labelSelector");
    t.minDomains = intAt(c, "minDomains", 1);
    info.spreadConstraints.push_back(std::move(t));
  });
}

}  // namespace

std::vector<NodeSelectorTerm> parseNodeSelectorTerms(const json::array* terms) {
  std::vector<NodeSelectorTerm> out;
  eachObject(terms, [&](const json::object& t) { out.push_back(nodeSelectorTerm(t)); });
  return out;
}

bool Toleration::tolerates(const Taint& taint) const {
  if (!effect.empty() && effect != taint.effect) return false;
  if (!key.empty() && key != taint.key) return false;
  if (op == "Exists") return true;
  if (op.empty() || op == "Equal") return value == taint.value;
  return false;
}

bool NodeSelectorRequirement::matches(const Labels& labels) const {
  auto it = labels.find(key);
  bool has = it != labels.end();
  if (op == "Exists") return has;
  if (op == "DoesNotExist") return !has;
  if (op == "In") return has && std::find(values.begin(), values.end(), it->second) != values.end();
  if (op == "NotIn") return !has || std::find(values.begin(), values.end(), it->second) == values.end();
  if (op == "Gt" || op == "Lt") {
    if (!has || values.size() != 1) return false;
    char* end = nullptr;
    long long label = std::strtoll(it->second.c_str(), &end, 10);
    if (end == it->second.c_str() || *end) return false;
    long long bound = std::strtoll(values[0].c_str(), &end, 10);
    if (end == values[0].c_str() || *end) return false;
    return op == "Gt" ? label > bound : label < bound;
  }
  return false;
}

bool NodeSelectorRequirement::matchesField(const std::string& nodeName) const {
  if (key != "metadata.name") return false;
  bool in = std::find(values.begin(), values.end(), nodeName) != values.end();
  if (op == "In") return values.size() == 1 && in;
  if (op == "NotIn") return !in;
  return false;
}

bool NodeSelectorTerm::matches(const Labels& labels, const std::string& nodeName) const {
  if (matchExpressions.empty() && matchFields.empty()) return false;
  for (const auto& r : matchExpressions) {
    if (!r.matches(labels)) return false;
  }
  for (const auto& r : matchFields) {
    if (!r.matchesField(nodeName)) return false;
  }
  return true;
}

bool PodInfo::termMatches(const PodAffinityTerm& term, const std::string& ownerNs,
                          const PodInfo& other) {
  if (!term.allNamespaces) {
    if (term.namespaces.empty()) {
      if (other.ns != ownerNs) return false;
    } else if (std::find(term.namespaces.begin(), term.namespaces.end(), other.ns) ==
               term.namespaces.end()) {
      return false;
    }
  }
  return term.selector.matches(other.labels);
}

PodInfoPtr parsePodInfo(ObjectPtr pod) {
  auto info = std::make_shared<PodInfo>();
  const json::object& obj = *pod;
  static const json::object kEmpty;
  const json::object& meta = api::findObject(obj, "metadata") ? *api::findObject(obj, "metadata") : kEmpty;
  const json::object& spec = api::findObject(obj, "spec") ? *api::findObject(obj, "spec") : kEmpty;
  info->ns = str(meta, "namespace");
  info->name = str(meta, "name");
  info->uid = str(meta, "uid");
  info->key = info->ns + "/" + info->name;
  info->terminating = meta.contains("deletionTimestamp");
  if (auto t = api::parseTime(api::getString(meta, "creationTimestamp"))) info->created = *t;
  info->labels = api::metaLabels(obj);
  info->schedulerName = str(spec, "schedulerName");
  if (info->schedulerName.empty()) info->schedulerName = "default-scheduler";
  info->nodeName = str(spec, "nodeName");
  info->priority = intAt(spec, "priority", 0);
  info->preemptNever = str(spec, "preemptionPolicy") == "Never";
  if (const json::object* status = api::findObject(obj, "status")) {
    info->nominatedNodeName = str(*status, "nominatedNodeName");
    info->phase = str(*status, "phase");
  }
  parseRequests(spec, *info);
  eachObject(arrayAt(spec, "tolerations"), [&](const json::object& t) {
    info->tolerations.push_back({str(t, "key"), str(t, "operator"), str(t, "value"), str(t, "effect")});
  });
  if (const json::object* selector = api::findObject(spec, "nodeSelector")) {
    for (const auto& kv : *selector) {
      if (kv.value().is_string()) info->nodeSelector[std::string(kv.key())] = std::string(kv.value().get_string());
    }
  }
  parseAffinity(spec, *info);
  parseSpreadConstraints(spec, *info);
  eachObject(arrayAt(spec, "volumes"), [&](const json::object& v) {
    if (const json::object* claim = api::findObject(v, "persistentVolumeClaim")) {
      info->claimNames.push_back(str(*claim, "claimName"));
    }
  });
  info->object = std::move(pod);
  return info;
}

}  // namespace kcpp::scheduler
