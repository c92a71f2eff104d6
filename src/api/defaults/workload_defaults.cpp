#include "api/defaults/workload_defaults.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

#include "api/defaults/json_fields.h"
#include "api/defaults/pod_defaults.h"

namespace kcpp::api::defaults {

namespace {

void defaultTemplateOf(json::object& spec) {
  if (json::object* tmpl = objectAt(spec, "template")) defaultPodTemplateSpec(*tmpl);
}

// Deployment and DaemonSet: a RollingUpdate strategy (given or defaulted) gets a
// rollingUpdate, whose maxSurge and maxUnavailable the schema then defaults.
void ensureRollingUpdate(json::object& spec, std::string_view strategyField) {
  json::object* strategy = ensureObjectAt(spec, strategyField);
  if (!strategy) return;
  auto type = strategy->find("type");
  bool rolling = isUnsetString(*strategy, "type") || type->value() == "RollingUpdate";
  if (rolling) ensureObjectAt(*strategy, "rollingUpdate");
}

// A copy of a template's labels when it has some (Go's `labels != nil`, narrowed
// to non-empty: an empty map copied would be omitted on output anyway).
std::optional<json::object> templateLabels(json::object& spec) {
  json::object* tmpl = objectAt(spec, "template");
  json::object* meta = tmpl ? objectAt(*tmpl, "metadata") : nullptr;
  json::object* labels = meta ? objectAt(*meta, "labels") : nullptr;
  if (!labels || labels->empty()) return std::nullopt;
  return *labels;
}

void labelsFromTemplate(json::object& obj, const json::object& labels) {
  json::object* meta = ensureObjectAt(obj, "metadata");
  if (meta && isEmpty(*meta, "labels")) (*meta)["labels"] = labels;
}

void defaultJobCounts(json::object& spec) {
  if (isUnset(spec, "completions") && isUnset(spec, "parallelism")) {
    spec["completions"] = 1;
    spec["parallelism"] = 1;
  }
  setIfUnset(spec, "parallelism", 1);
  if (isUnset(spec, "backoffLimit")) {
    spec["backoffLimit"] = isUnset(spec, "backoffLimitPerIndex")
                               ? std::int64_t{6}
                               : std::int64_t{std::numeric_limits<std::int32_t>::max()};
  }
}

}  // namespace

void defaultDeployment(json::object& deployment) {
  json::object* spec = ensureObjectAt(deployment, "spec");
  if (!spec) return;
  ensureRollingUpdate(*spec, "strategy");
  defaultTemplateOf(*spec);
}

void defaultReplicaSet(json::object& replicaSet) {
  if (json::object* spec = objectAt(replicaSet, "spec")) defaultTemplateOf(*spec);
}

void defaultDaemonSet(json::object& daemonSet) {
  json::object* spec = ensureObjectAt(daemonSet, "spec");
  if (!spec) return;
  ensureRollingUpdate(*spec, "updateStrategy");
  defaultTemplateOf(*spec);
}

void defaultStatefulSet(json::object& statefulSet) {
  json::object* spec = ensureObjectAt(statefulSet, "spec");
  if (!spec) return;
  json::object* strategy = ensureObjectAt(*spec, "updateStrategy");
  if (strategy && isUnsetString(*strategy, "type")) ensureObjectAt(*strategy, "rollingUpdate");
  forEachObjectIn(*spec, "volumeClaimTemplates",
                  [](json::object& claim) { ensureObjectAt(claim, "status"); });
  defaultTemplateOf(*spec);
}

void defaultJob(json::object& job) {
  json::object* spec = ensureObjectAt(job, "spec");
  if (!spec) return;
  defaultJobCounts(*spec);
  setIfUnset(*spec, "completionMode", "NonIndexed");
  setIfUnset(*spec, "suspend", false);
  // JobPodReplacementPolicy is on by default in v1.33 (beta).
  if (isUnset(*spec, "podReplacementPolicy")) {
    (*spec)["podReplacementPolicy"] =
        isUnset(*spec, "podFailurePolicy") ? "TerminatingOrFailed" : "Failed";
  }
  setIfUnset(*spec, "manualSelector", false);
  defaultTemplateOf(*spec);
  // Last: adding metadata may move `spec`.
  if (auto labels = templateLabels(*spec)) labelsFromTemplate(job, *labels);
}

void defaultCronJob(json::object& cronJob) {
  json::object* spec = objectAt(cronJob, "spec");
  json::object* jobTemplate = spec ? objectAt(*spec, "jobTemplate") : nullptr;
  json::object* jobSpec = jobTemplate ? objectAt(*jobTemplate, "spec") : nullptr;
  if (jobSpec) defaultTemplateOf(*jobSpec);
}

void defaultReplicationController(json::object& controller) {
  json::object* spec = objectAt(controller, "spec");
  if (!spec) return;
  defaultTemplateOf(*spec);
  auto labels = templateLabels(*spec);
  if (!labels) return;
  if (isEmpty(*spec, "selector")) (*spec)["selector"] = *labels;
  // Last: adding metadata may move `spec`.
  labelsFromTemplate(controller, *labels);
}

void defaultPodTemplate(json::object& podTemplate) {
  if (json::object* tmpl = objectAt(podTemplate, "template")) defaultPodTemplateSpec(*tmpl);
}

}  // namespace kcpp::api::defaults
