#include "api/validation/batch.h"

#include <algorithm>
#include <filesystem>

#include "api/validation/cron_schedule.h"
#include "api/validation/pod_spec.h"
#include "api/validation/workload_common.h"

namespace kcpp::api::validation {
namespace {

const json::object& emptyObject() {
  static const json::object empty;
  return empty;
}

const json::object& child(const json::object& o, std::string_view key) {
  const json::object* c = objectAt(o, key);
  return c ? *c : emptyObject();
}

void completionMode(const json::object& spec, const Path& p, Causes& out) {
  auto mode = optionalString(spec, "completionMode");
  bool indexed = mode == "Indexed";
  if (mode && *mode != "NonIndexed" && !indexed) {
    out.push_back(notSupportedStr(p.child("completionMode"), *mode, {"NonIndexed", "Indexed"}));
  }
  if (indexed && !has(spec, "completions")) {
    out.push_back(required(p.child("completions"), "when completion mode is Indexed"));
  }
  if (indexed && intAt(spec, "parallelism").value_or(0) > 100000) {
    out.push_back(invalidInt(p.child("parallelism"), *intAt(spec, "parallelism"),
                             "must be less than or equal to 100000 when completion mode is Indexed"));
  }
  if (!indexed) {
    for (std::string_view key : {"backoffLimitPerIndex", "maxFailedIndexes"}) {
      if (auto v = intAt(spec, key)) out.push_back(invalidInt(p.child(key), *v, "requires indexed completion mode"));
    }
  }
  if (has(spec, "maxFailedIndexes") && !has(spec, "backoffLimitPerIndex")) {
    out.push_back(required(p.child("backoffLimitPerIndex"), "when maxFailedIndexes is specified"));
  }
}

void jobTemplateRestartPolicy(const json::object& spec, const Path& p, Causes& out) {
  Path rp = p.child("template").child("spec").child("restartPolicy");
  std::string_view policy = stringAt(child(child(spec, "template"), "spec"), "restartPolicy");
  if (policy.empty() || policy == "Always") {
    out.push_back(required(rp, "valid values: \"OnFailure\", \"Never\""));
  } else if (policy != "OnFailure" && policy != "Never") {
    out.push_back(notSupportedStr(rp, policy, {"OnFailure", "Never"}));
  } else if (has(spec, "podFailurePolicy") && policy != "Never") {
    out.push_back(invalidStr(rp, policy, "only \"Never\" is supported when podFailurePolicy is specified"));
  }
}

// validateJobSpec: the rules a CronJob's job template shares.
Causes jobSpecCommon(const json::object& spec, const Path& p) {
  Causes out;
  for (std::string_view key : {"parallelism", "completions", "activeDeadlineSeconds", "backoffLimit",
                               "ttlSecondsAfterFinished", "backoffLimitPerIndex", "maxFailedIndexes"}) {
    nonNegativeField(spec, key, p, out);
  }
  completionMode(spec, p, out);
  if (auto policy = optionalString(spec, "podReplacementPolicy");
      policy && *policy != "Failed" && *policy != "TerminatingOrFailed") {
    out.push_back(notSupportedStr(p.child("podReplacementPolicy"), *policy, {"Failed", "TerminatingOrFailed"}));
  }
  append(out, validatePodTemplateSpec(child(spec, "template"), p.child("template")));
  jobTemplateRestartPolicy(spec, p, out);
  return out;
}

// ValidateJobSpec. Without a selector and with manualSelector unset, the
// selector is the registry's to generate: nothing to check here.
Causes jobSpec(const json::object& spec, const Path& p) {
  Causes out = jobSpecCommon(spec, p);
  const json::value* selector = valueAt(spec, "selector");
  if (!selector) {
    if (boolAt(spec, "manualSelector")) out.push_back(required(p.child("selector")));
    return out;
  }
  append(out, validateSelector(selector, p.child("selector")));
  if (!selectorMatchesLabels(selector, templateLabels(child(spec, "template")))) {
    out.push_back(selectorMismatch(p.child("template"), child(spec, "template")));
  }
  return out;
}

void immutable(const json::object& spec, const json::object& old, std::string_view key, const Path& p, Causes& out) {
  const json::value* now = valueAt(spec, key);
  if (semanticEqual(now, valueAt(old, key))) return;
  std::string rendered = !now ? "null" : now->is_string() ? goQuote(now->get_string()) : renderJson(now);
  out.push_back(invalidValue(p.child(key), rendered, kImmutableMsg));
}

void jobSpecUpdate(const json::object& spec, const json::object& old, Causes& out) {
  Path p("spec");
  if (stringAt(spec, "completionMode") != "Indexed") {
    immutable(spec, old, "completions", p, out);
  } else if (!semanticEqual(valueAt(spec, "completions"), valueAt(old, "completions")) && has(spec, "completions") &&
             intAt(spec, "completions") != intAt(spec, "parallelism")) {
    out.push_back(invalidInt(p.child("completions"), intAt(spec, "completions").value_or(0),
                             "can only be modified in tandem with spec.parallelism"));
  }
  immutableSelector(valueAt(spec, "selector"), valueAt(old, "selector"), p.child("selector"), out);
  // The template is immutable (the pod scheduling directives of a suspended
  // job aside).
  json::object tmpl = child(spec, "template"), oldTmpl = child(old, "template");
  if (boolAt(old, "suspend")) {
    for (std::string_view key : {"nodeSelector", "tolerations", "affinity", "schedulingGates"}) {
      json::object& s = tmpl["spec"].is_object() ? tmpl["spec"].get_object() : tmpl["spec"].emplace_object();
      json::object& o = oldTmpl["spec"].is_object() ? oldTmpl["spec"].get_object() : oldTmpl["spec"].emplace_object();
      if (const json::value* v = s.if_contains(key)) o[key] = *v;
      else o.erase(key);
    }
    json::object& om = oldTmpl["metadata"].is_object() ? oldTmpl["metadata"].get_object() : oldTmpl["metadata"].emplace_object();
    const json::object& nm = child(tmpl, "metadata");
    for (std::string_view key : {"labels", "annotations"}) {
      if (const json::value* v = nm.if_contains(key)) om[key] = *v;
      else om.erase(key);
    }
  }
  json::value a = tmpl, b = oldTmpl;
  if (!semanticEqual(&a, &b)) out.push_back(invalidValue(p.child("template"), renderJson(&a), kImmutableMsg));
  for (std::string_view key : {"completionMode", "podFailurePolicy", "backoffLimitPerIndex", "managedBy", "successPolicy"}) {
    immutable(spec, old, key, p, out);
  }
}

bool knownTimeZone(const std::string& zone) {
  if (zone == "UTC") return true;
  std::error_code ec;
  auto dir = std::filesystem::path("/usr/share/zoneinfo");
  if (!std::filesystem::exists(dir, ec)) return true;  // no database to check against
  return std::filesystem::is_regular_file(dir / zone, ec);
}

bool validZonePart(std::string_view part) {
  if (part.empty() || part.size() > 14 || part == "." || part == ".." || part.front() == '-') return false;
  return std::all_of(part.begin(), part.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == '+';
  });
}

void timeZone(const json::object& spec, const Path& p, Causes& out) {
  auto zone = optionalString(spec, "timeZone");
  if (!zone) return;
  Path zp = p.child("timeZone");
  if (zone->empty()) return out.push_back(invalidStr(zp, *zone, "timeZone must be nil or non-empty string"));
  std::size_t start = 0;
  while (true) {
    auto end = zone->find('/', start);
    if (!validZonePart(std::string_view(*zone).substr(start, end == std::string::npos ? std::string::npos : end - start))) {
      return out.push_back(invalidStr(zp, *zone, "unknown time zone " + *zone));
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  std::string lower = *zone;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "local") {
    out.push_back(invalidStr(zp, *zone, "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"));
  }
  if (!knownTimeZone(*zone)) out.push_back(invalidStr(zp, *zone, "unknown time zone " + *zone));
}

void schedule(const json::object& spec, const json::object* oldSpec, const Path& p, Causes& out) {
  std::string_view sched = stringAt(spec, "schedule");
  Path sp = p.child("schedule");
  if (sched.empty()) return out.push_back(required(sp));
  if (auto err = cronScheduleError(sched)) out.push_back(invalidStr(sp, sched, *err));
  bool allowTZ = oldSpec && stringAt(*oldSpec, "schedule").find("TZ") != std::string_view::npos;
  bool hasTZ = sched.find("TZ") != std::string_view::npos;
  if (allowTZ && hasTZ && has(spec, "timeZone")) {
    out.push_back(invalidStr(sp, sched, "cannot use both timeZone field and TZ or CRON_TZ in schedule"));
  } else if (!allowTZ && hasTZ) {
    out.push_back(invalidStr(sp, sched, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
  }
}

Causes cronJobSpec(const json::object& spec, const json::object* oldSpec) {
  Causes out;
  Path p("spec");
  schedule(spec, oldSpec, p, out);
  nonNegativeField(spec, "startingDeadlineSeconds", p, out);
  if (!oldSpec || !semanticEqual(valueAt(spec, "timeZone"), valueAt(*oldSpec, "timeZone"))) timeZone(spec, p, out);
  auto policy = optionalString(spec, "concurrencyPolicy");
  if (policy && !policy->empty() && *policy != "Allow" && *policy != "Forbid" && *policy != "Replace") {
    out.push_back(notSupportedStr(p.child("concurrencyPolicy"), *policy, {"Allow", "Forbid", "Replace"}));
  }
  Path jp = p.child("jobTemplate").child("spec");
  const json::object& jobSpec = child(child(spec, "jobTemplate"), "spec");
  append(out, jobSpecCommon(jobSpec, jp));
  if (const json::value* selector = valueAt(jobSpec, "selector")) {
    out.push_back(invalidValue(jp.child("selector"), goLabelSelector(selector), "`selector` will be auto-generated"));
  }
  if (boolAt(jobSpec, "manualSelector")) {
    out.push_back(notSupported(jp.child("manualSelector"), "true", {"nil", "false"}));
  }
  nonNegativeField(spec, "successfulJobsHistoryLimit", p, out);
  nonNegativeField(spec, "failedJobsHistoryLimit", p, out);
  return out;
}

}  // namespace

Causes validateJob(const json::object& obj, const json::object* old) {
  const json::object& spec = child(obj, "spec");
  Causes out = jobSpec(spec, Path("spec"));
  if (old) jobSpecUpdate(spec, child(*old, "spec"), out);
  return out;
}

Causes validateCronJob(const json::object& obj, const json::object* old) {
  const json::object& spec = child(obj, "spec");
  Causes out = cronJobSpec(spec, old ? &child(*old, "spec") : nullptr);
  const json::object* meta = objectAt(obj, "metadata");
  std::string_view name = meta ? stringAt(*meta, "name") : "";
  if (!old && name.size() > 52) {
    out.push_back(invalidStr(Path("metadata.name"), name, "must be no more than 52 characters"));
  }
  return out;
}

}  // namespace kcpp::api::validation
