#include "controllers/job/pod_failure_policy.h"

#include <algorithm>

#include "api/meta/object.h"

namespace kcpp::controllers {

namespace json = boost::json;

namespace {

std::string podName(const json::object& pod) {
  return std::string(api::metaNamespace(pod)) + "/" + std::string(api::metaName(pod));
}

// A terminated container (init containers first) whose non-zero exit code the
// requirement's operator accepts.
std::optional<std::string> matchExitCodes(const json::object& requirement, const json::object& pod, const std::string& action,
                                          std::size_t index) {
  std::string container(api::getString(requirement, "containerName"));
  std::string op(api::getString(requirement, "operator"));
  const json::value* values = requirement.if_contains("values");
  for (const char* list : {"status.initContainerStatuses", "status.containerStatuses"}) {
    const json::value* statuses = api::findPath(pod, list);
    if (!statuses || !statuses->is_array()) continue;
    for (const auto& st : statuses->get_array()) {
      if (!st.is_object()) continue;
      const json::value* code = api::findPath(st.get_object(), "state.terminated.exitCode");
      if (!code || !code->is_int64() || code->get_int64() == 0) continue;
      std::string name(api::getString(st.get_object(), "name"));
      if (!container.empty() && container != name) continue;
      bool listed = values && values->is_array() &&
                    std::any_of(values->get_array().begin(), values->get_array().end(),
                                [&](const json::value& v) { return v == *code; });
      if ((op == "In" && listed) || (op == "NotIn" && !listed)) {
        return "Container " + name + " for pod " + podName(pod) + " failed with exit code " +
               std::to_string(code->get_int64()) + " matching " + action + " rule at index " + std::to_string(index);
      }
    }
  }
  return std::nullopt;
}

std::optional<std::string> matchConditions(const json::array& patterns, const json::object& pod, const std::string& action,
                                           std::size_t index) {
  const json::value* conditions = api::findPath(pod, "status.conditions");
  if (!conditions || !conditions->is_array()) return std::nullopt;
  for (const auto& pattern : patterns) {
    if (!pattern.is_object()) continue;
    std::string type(api::getString(pattern.get_object(), "type"));
    std::string status(api::getString(pattern.get_object(), "status"));
    if (status.empty()) status = "True";
    for (const auto& c : conditions->get_array()) {
      if (!c.is_object() || api::getString(c.get_object(), "type") != type ||
          api::getString(c.get_object(), "status") != status) {
        continue;
      }
      return "Pod " + podName(pod) + " has condition " + type + " matching " + action + " rule at index " +
             std::to_string(index);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<PodFailurePolicyMatch> matchPodFailurePolicy(const json::object& job, const json::object& pod) {
  const json::value* rules = api::findPath(job, "spec.podFailurePolicy.rules");
  if (!rules || !rules->is_array()) return std::nullopt;
  for (std::size_t i = 0; i < rules->get_array().size(); ++i) {
    const json::value& rule = rules->get_array()[i];
    if (!rule.is_object()) continue;
    std::string action(api::getString(rule.get_object(), "action"));
    std::optional<std::string> message;
    if (const json::object* codes = api::findObject(rule.get_object(), "onExitCodes")) {
      message = matchExitCodes(*codes, pod, action, i);
    } else if (const json::value* patterns = rule.get_object().if_contains("onPodConditions");
               patterns && patterns->is_array()) {
      message = matchConditions(patterns->get_array(), pod, action, i);
    }
    if (message) return PodFailurePolicyMatch{action, *message};
  }
  return std::nullopt;
}

}  // namespace kcpp::controllers
