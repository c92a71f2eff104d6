#include "controllers/daemonset/node_eligibility.h"

#include <algorithm>

#include "api/meta/object.h"

namespace kcpp::controllers::daemon {

namespace {

std::string str(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

const json::array* arrayAt(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_array() ? &v->get_array() : nullptr;
}

std::optional<std::int64_t> toInt(std::string_view s) {
  try {
    std::size_t used = 0;
    std::int64_t n = std::stoll(std::string(s), &used);
    if (used != s.size()) return std::nullopt;
    return n;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::vector<std::string> values(const json::object& requirement) {
  std::vector<std::string> out;
  if (const json::value* v = requirement.if_contains("values"); v && v->is_array()) {
    for (const auto& e : v->get_array()) {
      if (e.is_string()) out.emplace_back(e.get_string());
    }
  }
  return out;
}

// One NodeSelectorRequirement against the value a key has (nullopt: absent).
bool requirementMatches(const json::object& requirement, const std::optional<std::string>& have) {
  std::string op(api::getString(requirement, "operator"));
  auto vals = values(requirement);
  bool listed = have && std::find(vals.begin(), vals.end(), *have) != vals.end();
  if (op == "In") return listed;
  if (op == "NotIn") return !listed;
  if (op == "Exists") return have.has_value();
  if (op == "DoesNotExist") return !have.has_value();
  if ((op == "Gt" || op == "Lt") && have && vals.size() == 1) {
    auto mine = toInt(*have);
    auto bound = toInt(vals[0]);
    if (!mine || !bound) return false;
    return op == "Gt" ? *mine > *bound : *mine < *bound;
  }
  return false;
}

std::optional<std::string> labelOf(const json::object& node, const std::string& key) {
  auto labels = api::metaLabels(node);
  auto it = labels.find(key);
  if (it == labels.end()) return std::nullopt;
  return it->second;
}

// A term ANDs its requirements; an empty term selects nothing.
bool termMatches(const json::object& term, const json::object& node) {
  const json::array* exprs = arrayAt(term, "matchExpressions");
  const json::array* fields = arrayAt(term, "matchFields");
  if ((!exprs || exprs->empty()) && (!fields || fields->empty())) return false;
  if (exprs) {
    for (const auto& e : *exprs) {
      if (!e.is_object()) return false;
      const json::object& req = e.get_object();
      if (!requirementMatches(req, labelOf(node, std::string(api::getString(req, "key"))))) return false;
    }
  }
  if (fields) {
    for (const auto& f : *fields) {
      if (!f.is_object()) return false;
      const json::object& req = f.get_object();
      if (api::getString(req, "key") != "metadata.name") return false;  // the only field supported
      if (!requirementMatches(req, str(node, "metadata.name"))) return false;
    }
  }
  return true;
}

bool nodeSelectorMapMatches(const json::object& podSpec, const json::object& node) {
  const json::value* sel = podSpec.if_contains("nodeSelector");
  if (!sel || !sel->is_object()) return true;
  auto labels = api::metaLabels(node);
  for (const auto& kv : sel->get_object()) {
    auto it = labels.find(std::string(kv.key()));
    if (it == labels.end() || !kv.value().is_string() || it->second != kv.value().get_string()) return false;
  }
  return true;
}

bool requiredAffinityMatches(const json::object& podSpec, const json::object& node) {
  const json::value* required =
      api::findPath(podSpec, "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution");
  if (!required || required->is_null()) return true;
  return nodeSelectorMatches(*required, node);
}

bool sameToleration(const json::object& a, const json::object& b) {
  for (const char* field : {"key", "operator", "value", "effect"}) {
    if (api::getString(a, field) != api::getString(b, field)) return false;
  }
  return true;
}

void addOrUpdateToleration(json::array& tolerations, json::object toleration) {
  for (auto& t : tolerations) {
    if (t.is_object() && sameToleration(t.get_object(), toleration)) {
      t = std::move(toleration);
      return;
    }
  }
  tolerations.push_back(std::move(toleration));
}

// The first taint with one of the effects `effectFilter` accepts that no
// toleration tolerates.
bool hasUntoleratedTaint(const json::array* taints, const json::array* tolerations,
                         bool (*effectFilter)(std::string_view)) {
  if (!taints) return false;
  for (const auto& t : *taints) {
    if (!t.is_object() || !effectFilter(api::getString(t.get_object(), "effect"))) continue;
    bool tolerated = false;
    if (tolerations) {
      for (const auto& tol : *tolerations) {
        if (tol.is_object() && toleratesTaint(tol.get_object(), t.get_object())) {
          tolerated = true;
          break;
        }
      }
    }
    if (!tolerated) return true;
  }
  return false;
}

bool schedulingEffect(std::string_view e) { return e == "NoSchedule" || e == "NoExecute"; }
bool executeEffect(std::string_view e) { return e == "NoExecute"; }

}  // namespace

void addDaemonTolerations(json::object& podSpec) {
  json::value& existing = podSpec["tolerations"];
  if (!existing.is_array()) existing = json::array();
  json::array& tolerations = existing.get_array();
  auto add = [&tolerations](const char* key, const char* effect) {
    addOrUpdateToleration(tolerations,
                          json::object{{"key", key}, {"operator", "Exists"}, {"effect", effect}});
  };
  add("node.kubernetes.io/not-ready", "NoExecute");
  add("node.kubernetes.io/unreachable", "NoExecute");
  add("node.kubernetes.io/disk-pressure", "NoSchedule");
  add("node.kubernetes.io/memory-pressure", "NoSchedule");
  add("node.kubernetes.io/pid-pressure", "NoSchedule");
  add("node.kubernetes.io/unschedulable", "NoSchedule");
  const json::value* hostNetwork = podSpec.if_contains("hostNetwork");
  if (hostNetwork && hostNetwork->is_bool() && hostNetwork->get_bool()) {
    add("node.kubernetes.io/network-unavailable", "NoSchedule");
  }
}

bool toleratesTaint(const json::object& toleration, const json::object& taint) {
  std::string_view effect = api::getString(toleration, "effect");
  if (!effect.empty() && effect != api::getString(taint, "effect")) return false;
  std::string_view key = api::getString(toleration, "key");
  if (!key.empty() && key != api::getString(taint, "key")) return false;
  std::string_view op = api::getString(toleration, "operator");
  if (op == "Exists") return true;
  if (op.empty() || op == "Equal") return api::getString(toleration, "value") == api::getString(taint, "value");
  return false;
}

bool nodeSelectorMatches(const json::value& nodeSelector, const json::object& node) {
  if (!nodeSelector.is_object()) return false;
  const json::array* terms = arrayAt(nodeSelector.get_object(), "nodeSelectorTerms");
  if (!terms) return false;
  for (const auto& term : *terms) {
    if (term.is_object() && termMatches(term.get_object(), node)) return true;
  }
  return false;
}

DaemonPodSpec::DaemonPodSpec(const json::object& daemonSet) {
  if (const json::value* s = api::findPath(daemonSet, "spec.template.spec"); s && s->is_object()) {
    spec_ = s->get_object();
  }
  addDaemonTolerations(spec_);
}

NodeFit DaemonPodSpec::fit(const json::object& node) const {
  std::string wantedNode = str(spec_, "nodeName");
  if (!wantedNode.empty() && wantedNode != str(node, "metadata.name")) return {};
  if (!nodeSelectorMapMatches(spec_, node) || !requiredAffinityMatches(spec_, node)) return {};
  const json::array* taints = arrayAt(node, "spec.taints");
  const json::array* tolerations = arrayAt(spec_, "tolerations");
  if (hasUntoleratedTaint(taints, tolerations, schedulingEffect)) {
    // A pod already there may stay unless a NoExecute taint would evict it.
    return NodeFit{false, !hasUntoleratedTaint(taints, tolerations, executeEffect)};
  }
  return NodeFit{true, true};
}

NodeFit nodeShouldRunDaemonPod(const json::object& node, const json::object& daemonSet) {
  return DaemonPodSpec(daemonSet).fit(node);
}

void pinToNode(json::object& podSpec, const std::string& nodeName) {
  json::object requirement{{"key", "metadata.name"}, {"operator", "In"}, {"values", json::array{json::string(nodeName)}}};
  json::object term{{"matchFields", json::array{std::move(requirement)}}};
  json::value& affinity = podSpec["affinity"];
  if (!affinity.is_object()) affinity = json::object();
  json::value& nodeAffinity = affinity.get_object()["nodeAffinity"];
  if (!nodeAffinity.is_object()) nodeAffinity = json::object();
  json::value& required = nodeAffinity.get_object()["requiredDuringSchedulingIgnoredDuringExecution"];
  if (!required.is_object()) required = json::object();
  required.get_object()["nodeSelectorTerms"] = json::array{std::move(term)};
}

std::optional<std::string> targetNodeName(const json::object& pod) {
  std::string bound = str(pod, "spec.nodeName");
  if (!bound.empty()) return bound;
  const json::array* terms =
      arrayAt(pod, "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms");
  if (!terms) return std::nullopt;
  for (const auto& term : *terms) {
    const json::array* fields = term.is_object() ? arrayAt(term.get_object(), "matchFields") : nullptr;
    if (!fields) continue;
    for (const auto& f : *fields) {
      if (!f.is_object()) continue;
      const json::object& req = f.get_object();
      if (api::getString(req, "key") != "metadata.name" || api::getString(req, "operator") != "In") continue;
      auto vals = values(req);
      if (vals.size() != 1) return std::nullopt;
      return vals[0];
    }
  }
  return std::nullopt;
}

}  // namespace kcpp::controllers::daemon
