#include "api/validation/batch.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <optional>
#include <variant>

#include "api/meta/object.h"

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
  auto maxFailed = intAt(spec, "maxFailedIndexes");
  if (indexed && maxFailed) {
    if (auto completions = intAt(spec, "completions"); completions && *maxFailed > *completions) {
      out.push_back(invalidInt(p.child("maxFailedIndexes"), *maxFailed, "must be less than or equal to completions"));
    }
    if (*maxFailed > 100000) {
      out.push_back(invalidInt(p.child("maxFailedIndexes"), *maxFailed, "must be less than or equal to 100000"));
    }
  }
}

// Upstream's parseIndexInterval / validateIndexesFormat ("1,3-5"): the number
// of indexes, or the error text.
std::variant<std::int64_t, std::string> indexesFormat(std::string_view text, std::int64_t completions) {
  if (text.empty()) return std::int64_t{0};
  auto number = [](std::string_view s) -> std::optional<std::int64_t> {
    std::int64_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
    return v;
  };
  std::optional<std::int64_t> last;
  std::int64_t total = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    std::string_view interval = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    std::vector<std::string_view> limits;
    for (std::size_t from = 0;;) {
      std::size_t dash = interval.find('-', from);
      limits.push_back(interval.substr(from, dash == std::string_view::npos ? std::string_view::npos : dash - from));
      if (dash == std::string_view::npos) break;
      from = dash + 1;
    }
    if (limits.size() > 2) {
      return "the fragment " + goQuote(interval) +
             " violates the requirement that an index interval can have at most two parts separated by '-'";
    }
    std::int64_t bounds[2] = {0, 0};
    for (std::size_t i = 0; i < limits.size(); ++i) {
      auto v = number(limits[i]);
      if (!v) return "cannot convert string to integer for index: " + goQuote(limits[i]);
      if (*v >= completions) return "too large index: " + goQuote(limits[i]);
      bounds[i] = *v;
    }
    if (limits.size() == 1) bounds[1] = bounds[0];
    if (limits.size() == 2 && bounds[0] >= bounds[1]) {
      return "non-increasing order, previous: " + std::to_string(bounds[0]) + ", current: " + std::to_string(bounds[1]);
    }
    if (last && *last >= bounds[0]) {
      return "non-increasing order, previous: " + std::to_string(*last) + ", current: " + std::to_string(bounds[0]);
    }
    total += bounds[1] - bounds[0] + 1;
    last = bounds[1];
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return total;
}

void successPolicyRule(const json::object& spec, const json::object& rule, const Path& p, Causes& out) {
  std::int64_t completions = intAt(spec, "completions").value_or(0);
  bool hasIndexes = has(rule, "succeededIndexes");
  auto count = intAt(rule, "succeededCount");
  if (!count && !hasIndexes) {
    out.push_back(required(p, "at least one of succeededCount or succeededIndexes must be specified"));
  }
  std::int64_t total = 0;
  if (hasIndexes) {
    std::string_view indexes = stringAt(rule, "succeededIndexes");
    if (indexes.size() > 64 * 1024) out.push_back(tooLong(p.child("succeededIndexes"), 64 * 1024));
    auto parsed = indexesFormat(indexes, completions);
    if (auto* error = std::get_if<std::string>(&parsed)) {
      out.push_back(invalidStr(p.child("succeededIndexes"), indexes, "error parsing succeededIndexes: " + *error));
    } else {
      total = std::get<std::int64_t>(parsed);
    }
  }
  if (count) {
    if (*count < 0) out.push_back(invalidInt(p.child("succeededCount"), *count, kNegativeMsg));
    if (*count > completions) {
      out.push_back(invalidInt(p.child("succeededCount"), *count,
                               "must be less than or equal to " + std::to_string(completions) +
                                   " (the number of specified completions)"));
    }
    if (hasIndexes && *count > total) {
      out.push_back(invalidInt(p.child("succeededCount"), *count,
                               "must be less than or equal to " + std::to_string(total) +
                                   " (the number of indexes in the specified succeededIndexes field)"));
    }
  }
}

void successPolicy(const json::object& spec, const Path& p, Causes& out) {
  const json::value* policy = valueAt(spec, "successPolicy");
  if (!policy || policy->is_null()) return;
  Path sp = p.child("successPolicy");
  if (stringAt(spec, "completionMode") != "Indexed") {
    out.push_back(invalidValue(sp, renderJson(policy), "requires indexed completion mode"));
    return;
  }
  const json::value* rules = policy->is_object() ? policy->get_object().if_contains("rules") : nullptr;
  std::size_t n = rules && rules->is_array() ? rules->get_array().size() : 0;
  Path rp = sp.child("rules");
  if (n == 0) out.push_back(required(rp, "at least one rules must be specified when the successPolicy is specified"));
  if (n > 20) out.push_back(tooMany(rp, static_cast<std::int64_t>(n), 20));
  for (std::size_t i = 0; i < n; ++i) {
    const json::value& rule = rules->get_array()[i];
    if (rule.is_object()) successPolicyRule(spec, rule.get_object(), rp.index(i), out);
  }
}

// A FailIndex action needs backoffLimitPerIndex.
void failIndexRules(const json::object& spec, const Path& p, Causes& out) {
  const json::value* rules = api::findPath(spec, "podFailurePolicy.rules");
  if (!rules || !rules->is_array()) return;
  for (std::size_t i = 0; i < rules->get_array().size(); ++i) {
    const json::value& rule = rules->get_array()[i];
    if (!rule.is_object() || stringAt(rule.get_object(), "action") != "FailIndex" || has(spec, "backoffLimitPerIndex")) {
      continue;
    }
    out.push_back(invalidStr(p.child("podFailurePolicy").child("rules").index(i).child("action"),
                             "FailIndex", "requires the backoffLimitPerIndex to be set"));
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
  failIndexRules(spec, p, out);
  successPolicy(spec, p, out);
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
