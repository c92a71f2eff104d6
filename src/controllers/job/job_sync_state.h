#pragma once
// Internal to the Job controller: what one sync of a Job knows and decides
// (upstream's syncJobCtx), and small field helpers.

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/meta/object.h"
#include "controllers/job/indexed_job_utils.h"
#include "controllers/job/job_controller.h"

namespace kcpp::controllers {

namespace jobutil {

// Queue keys of pods whose Job is gone, to release from the finalizer.
inline constexpr const char* kOrphanPrefix = "orphan-pod/";

inline std::string str(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

inline std::optional<std::int64_t> optNum(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  if (v && v->is_int64()) return v->get_int64();
  if (v && v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  return std::nullopt;
}

inline bool hasTrackingFinalizer(const json::object& pod) {
  const json::value* f = api::findPath(pod, "metadata.finalizers");
  if (!f || !f->is_array()) return false;
  const json::array& list = f->get_array();
  return std::any_of(list.begin(), list.end(), [](const json::value& v) {
    return v.is_string() && v.get_string() == kJobTrackingFinalizer;
  });
}

// The object's resourceVersion as a number, if it is one.
inline std::optional<std::uint64_t> revision(const json::object& obj) {
  std::string rv = str(obj, "metadata.resourceVersion");
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(rv.data(), rv.data() + rv.size(), v);
  if (rv.empty() || ec != std::errc() || ptr != rv.data() + rv.size()) return std::nullopt;
  return v;
}

inline json::array toArray(const std::vector<std::string>& values) {
  json::array out;
  for (const auto& v : values) out.emplace_back(v);
  return out;
}

}  // namespace jobutil

struct JobController::SyncState {
  std::string key;
  json::object job;
  std::vector<PodPtr> pods;  // every pod the Job controls, finished ones too
  Clock::TimePoint now;
  std::string nowText;

  // The spec, read once.
  bool indexed = false;
  std::optional<std::int64_t> completions;
  std::int64_t parallelism = 1;
  std::int64_t backoffLimit = 6;
  std::optional<std::int64_t> backoffLimitPerIndex, maxFailedIndexes;
  bool onlyReplaceFailed = false;  // podReplacementPolicy: Failed
  bool suspended = false;

  // The pods.
  std::vector<PodPtr> active;
  std::int64_t activeCount = 0;  // after this sync's creates and deletes
  std::int64_t ready = 0;
  std::int64_t terminating = 0;
  std::vector<PodPtr> toRemoveFinalizer;
  int newSucceeded = 0, newFailed = 0;  // first seen finished in this sync

  // The status being built.
  std::vector<std::string> uncountedSucceeded, uncountedFailed;
  std::int64_t succeeded = 0, failed = 0;  // counted
  std::set<std::int64_t> completedIndexes;
  std::set<std::int64_t> failedIndexes;  // backoffLimitPerIndex: indexes given up on
  std::map<std::int64_t, std::int64_t> indexFailures;  // failures so far, per index (for the next pod)
  std::optional<JobCondition> finished;  // SuccessCriteriaMet or FailureTarget
  std::optional<JobCondition> policyFailure;  // a FailJob rule of podFailurePolicy matched
  json::array conditions;
  std::optional<std::string> startTime, completionTime;
  bool finalAdded = false;

  static SyncState from(std::string key, json::object job, std::vector<PodPtr> pods, Clock::TimePoint now) {
    SyncState s;
    s.key = std::move(key);
    s.pods = std::move(pods);
    s.now = now;
    s.nowText = api::formatTime(now);
    s.indexed = jobutil::str(job, "spec.completionMode") == "Indexed";
    s.completions = jobutil::optNum(job, "spec.completions");
    s.parallelism = jobutil::optNum(job, "spec.parallelism").value_or(1);
    s.backoffLimit = jobutil::optNum(job, "spec.backoffLimit").value_or(6);
    s.onlyReplaceFailed = jobutil::str(job, "spec.podReplacementPolicy") == "Failed";
    s.backoffLimitPerIndex = jobutil::optNum(job, "spec.backoffLimitPerIndex");
    s.maxFailedIndexes = jobutil::optNum(job, "spec.maxFailedIndexes");
    if (s.indexed && s.backoffLimitPerIndex) {
      s.failedIndexes = parseIndexes(jobutil::str(job, "status.failedIndexes"), s.completions.value_or(0));
    }
    const json::value* suspend = api::findPath(job, "spec.suspend");
    s.suspended = suspend && suspend->is_bool() && suspend->get_bool();
    s.succeeded = jobutil::optNum(job, "status.succeeded").value_or(0);
    s.failed = jobutil::optNum(job, "status.failed").value_or(0);
    if (s.indexed) s.completedIndexes = parseIndexes(jobutil::str(job, "status.completedIndexes"), s.completions.value_or(0));
    for (const char* list : {"status.uncountedTerminatedPods.succeeded", "status.uncountedTerminatedPods.failed"}) {
      const json::value* uids = api::findPath(job, list);
      if (!uids || !uids->is_array()) continue;
      auto& into = std::string_view(list).ends_with("succeeded") ? s.uncountedSucceeded : s.uncountedFailed;
      for (const auto& u : uids->get_array()) {
        if (u.is_string()) into.emplace_back(u.get_string());
      }
    }
    if (const json::value* c = api::findPath(job, "status.conditions"); c && c->is_array()) s.conditions = c->get_array();
    if (std::string start = jobutil::str(job, "status.startTime"); !start.empty()) s.startTime = start;
    s.job = std::move(job);
    return s;
  }

  bool perIndex() const { return indexed && backoffLimitPerIndex.has_value(); }
  // Indexes that need no more pods: succeeded, or failed for good.
  std::set<std::int64_t> finishedIndexes() const {
    std::set<std::int64_t> out = completedIndexes;
    out.insert(failedIndexes.begin(), failedIndexes.end());
    return out;
  }

  bool isUncounted(const std::string& uid) const {
    return std::find(uncountedSucceeded.begin(), uncountedSucceeded.end(), uid) != uncountedSucceeded.end() ||
           std::find(uncountedFailed.begin(), uncountedFailed.end(), uid) != uncountedFailed.end();
  }
  std::int64_t failedTotal() const { return failed + static_cast<std::int64_t>(uncountedFailed.size()); }
  // Indexed Jobs count completed indexes as soon as they are seen.
  std::int64_t succeededCounted() const {
    return indexed ? static_cast<std::int64_t>(completedIndexes.size()) : succeeded;
  }
  std::int64_t succeededTotal() const {
    return indexed ? succeededCounted() : succeeded + static_cast<std::int64_t>(uncountedSucceeded.size());
  }

  // restartPolicy OnFailure: the container restarts of running pods count
  // against backoffLimit (upstream's pastBackoffLimitOnFailure).
  bool pastBackoffLimitOnFailure() const {
    if (jobutil::str(job, "spec.template.spec.restartPolicy") != "OnFailure") return false;
    std::int64_t restarts = 0;
    for (const PodPtr& pod : active) {
      for (const char* list : {"status.initContainerStatuses", "status.containerStatuses"}) {
        const json::value* statuses = api::findPath(*pod, list);
        if (!statuses || !statuses->is_array()) continue;
        for (const auto& st : statuses->get_array()) {
          if (st.is_object()) restarts += jobutil::optNum(st.get_object(), "restartCount").value_or(0);
        }
      }
    }
    return backoffLimit == 0 ? restarts > 0 : restarts >= backoffLimit;
  }

  std::optional<Clock::TimePoint> deadline() const {
    auto seconds = jobutil::optNum(job, "spec.activeDeadlineSeconds");
    if (!seconds || !startTime || suspended) return std::nullopt;
    auto start = api::parseTime(*startTime);
    if (!start) return std::nullopt;
    return *start + std::chrono::seconds(*seconds);
  }
  bool pastActiveDeadline() const {
    auto d = deadline();
    return d && now >= *d;
  }

  // Moves the uncounted uids whose pods no longer hold the finalizer into the counters.
  void flushUncounted(const std::set<std::string>& stillHeld) {
    auto flush = [&stillHeld](std::vector<std::string>& uids, std::int64_t& counter, bool count) {
      std::vector<std::string> kept;
      for (auto& uid : uids) {
        if (stillHeld.contains(uid)) {
          kept.push_back(std::move(uid));
        } else if (count) {
          ++counter;
        }
      }
      uids = std::move(kept);
    };
    flush(uncountedSucceeded, succeeded, !indexed);
    flush(uncountedFailed, failed, true);
  }
};

}  // namespace kcpp::controllers
