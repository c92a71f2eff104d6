// The Job controller's pod management (upstream manageJob) and its writes to
// pods: creates, deletes and finalizer removal.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <map>

#include "api/meta/object.h"
#include "controllers/job/indexed_job_utils.h"
#include "controllers/job/job_controller.h"
#include "controllers/job/job_sync_state.h"

namespace kcpp::controllers {

namespace asio = boost::asio;

namespace {

// Indexed Jobs: pods without a valid index, or whose index is done or held by
// an earlier pod, go first; then the highest indexes (upstream's
// firstPendingIndexes / activePodsForRemoval).
std::vector<PodPtr> indexedSurplus(const std::vector<PodPtr>& active, const std::set<std::int64_t>& done,
                                   std::int64_t completions, std::int64_t wantActive) {
  std::vector<PodPtr> surplus;
  std::map<std::int64_t, PodPtr> held;
  for (const PodPtr& pod : active) {
    auto ix = completionIndexOf(*pod);
    if (!ix || *ix >= completions || done.contains(*ix) || held.contains(*ix)) {
      surplus.push_back(pod);
    } else {
      held[*ix] = pod;
    }
  }
  while (static_cast<std::int64_t>(held.size()) > wantActive) {
    surplus.push_back(std::prev(held.end())->second);
    held.erase(std::prev(held.end()));
  }
  return surplus;
}

std::chrono::milliseconds backoffLeft(int failures, Clock::TimePoint lastFailure, Clock::TimePoint now,
                                      std::chrono::milliseconds base, std::chrono::milliseconds cap) {
  if (failures <= 0) return std::chrono::milliseconds(0);
  auto delay = base;
  for (int i = 1; i < failures && delay < cap; ++i) delay *= 2;
  delay = std::min(delay, cap);
  auto passed = std::chrono::duration_cast<std::chrono::milliseconds>(now - lastFailure);
  return std::max(std::chrono::milliseconds(0), delay - passed);
}

client::ResourcePath podPath(const json::object& pod) {
  return client::ResourcePath{"", "v1", "pods", jobutil::str(pod, "metadata.namespace"),
                              jobutil::str(pod, "metadata.name"), "", ""};
}

}  // namespace

asio::awaitable<Result<void>> JobController::manageJob(SyncState& s) {
  s.activeCount = static_cast<std::int64_t>(s.active.size());
  if (s.finished) {
    // Failed or succeeded: nothing more runs.
    co_return co_await deletePods(s, s.active);
  }
  if (!expectations_.satisfied(s.key)) co_return Result<void>{};
  if (s.suspended) {
    if (ensureCondition(s.conditions, {jobcond::kSuspended, "True", "JobSuspended", "Job suspended"}, s.nowText)) {
      events_.record(s.job, "Normal", "Suspended", "Job suspended");
    }
    co_return co_await deletePods(s, s.active);
  }
  if (ensureCondition(s.conditions, {jobcond::kSuspended, "False", "JobResumed", "Job resumed"}, s.nowText)) {
    events_.record(s.job, "Normal", "Resumed", "Job resumed");
    // activeDeadlineSeconds counts from the resume (upstream resets startTime).
    s.startTime = s.nowText;
  }
  if (!s.startTime) s.startTime = s.nowText;
  if (auto deadline = s.deadline()) {
    queue_.addAfter(s.key, std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - s.now) +
                               std::chrono::milliseconds(100));
  }
  std::int64_t succeeded = s.succeededTotal() + static_cast<std::int64_t>(s.failedIndexes.size());
  std::int64_t wantActive = s.parallelism;
  if (!s.completions) {
    if (succeeded > 0) wantActive = s.activeCount;  // let what runs finish, start nothing
  } else {
    wantActive = std::clamp<std::int64_t>(*s.completions - succeeded, 0, s.parallelism);
  }
  std::vector<PodPtr> surplus;
  if (s.indexed) {
    surplus = indexedSurplus(s.active, s.finishedIndexes(), s.completions.value_or(0), wantActive);
  } else if (s.activeCount > wantActive) {
    surplus = podsToDelete(s.active, s.active, static_cast<std::size_t>(s.activeCount - wantActive));
  }
  if (surplus.size() > static_cast<std::size_t>(options_.maxPodCreateDeletePerSync)) {
    surplus.resize(options_.maxPodCreateDeletePerSync);
  }
  if (!surplus.empty()) co_return co_await deletePods(s, surplus);
  // podReplacementPolicy Failed: a terminating pod keeps its slot until it has failed.
  std::int64_t occupied = s.activeCount + (s.onlyReplaceFailed ? s.terminating : 0);
  if (occupied >= wantActive) co_return Result<void>{};
  // The record as it stands once this sync's newly finished pods are in it.
  BackoffRecord record = backoff_[s.key];
  if (s.newSucceeded > 0) record.failuresAfterLastSuccess = 0;
  if (s.newFailed > 0) {
    record.failuresAfterLastSuccess += s.newFailed;
    record.lastFailure = s.now;
  }
  auto wait = backoffLeft(record.failuresAfterLastSuccess, record.lastFailure, s.now,
                          options_.podFailureBackoff, options_.maxPodFailureBackoff);
  if (wait.count() > 0) {
    queue_.addAfter(s.key, wait);
    co_return Result<void>{};
  }
  int count = static_cast<int>(std::min<std::int64_t>(wantActive - occupied, options_.maxPodCreateDeletePerSync));
  co_return co_await createPods(s, count);
}

json::object JobController::podForIndex(const json::object& job, std::optional<std::int64_t> index,
                                        std::int64_t indexFailures) const {
  json::object templ;
  if (const json::value* t = api::findPath(job, "spec.template"); t && t->is_object()) templ = t->get_object();
  json::object pod = podFromTemplate(templ, job, makeControllerRef(job, "batch/v1", "Job"));
  json::object& meta = pod["metadata"].as_object();
  json::array finalizers;
  if (const json::value* f = meta.if_contains("finalizers"); f && f->is_array()) finalizers = f->get_array();
  finalizers.emplace_back(kJobTrackingFinalizer);
  meta["finalizers"] = std::move(finalizers);
  if (!index) return pod;
  std::string name = jobutil::str(job, "metadata.name");
  std::string ix = std::to_string(*index);
  meta["generateName"] = name + "-" + ix + "-";
  api::ensureObject(meta, "annotations")[kJobCompletionIndexKey] = ix;
  api::ensureObject(meta, "labels")[kJobCompletionIndexKey] = ix;
  if (jobutil::optNum(job, "spec.backoffLimitPerIndex")) {
    api::ensureObject(meta, "annotations")[kJobIndexFailureCountKey] = std::to_string(indexFailures);
  }
  json::object& spec = pod["spec"].as_object();
  if (api::getString(spec, "hostname").empty()) spec["hostname"] = name + "-" + ix;
  // JOB_COMPLETION_INDEX, read from the annotation, in every container.
  json::object env{{"name", "JOB_COMPLETION_INDEX"}};
  env["valueFrom"] = json::object{
      {"fieldRef", json::object{{"fieldPath", std::string("metadata.annotations['") + kJobCompletionIndexKey + "']"}}}};
  for (const char* list : {"initContainers", "containers"}) {
    json::value* containers = spec.if_contains(list);
    if (!containers || !containers->is_array()) continue;
    for (auto& c : containers->get_array()) {
      if (!c.is_object()) continue;
      json::value& envs = c.get_object()["env"];
      if (!envs.is_array()) envs = json::array();
      bool present = std::any_of(envs.get_array().begin(), envs.get_array().end(), [](const json::value& e) {
        return e.is_object() && api::getString(e.get_object(), "name") == "JOB_COMPLETION_INDEX";
      });
      if (!present) envs.get_array().push_back(env);
    }
  }
  return pod;
}

asio::awaitable<Result<void>> JobController::createPods(SyncState& s, int count) {
  std::vector<std::optional<std::int64_t>> indexes;
  if (s.indexed) {
    std::set<std::int64_t> held;
    for (const PodPtr& p : s.pods) {
      std::string phase = jobutil::str(*p, "status.phase");
      bool terminal = phase == "Succeeded" || phase == "Failed";
      bool deleting = api::findPath(*p, "metadata.deletionTimestamp") != nullptr;
      if (terminal || (deleting && !s.onlyReplaceFailed)) continue;
      if (auto ix = completionIndexOf(*p)) held.insert(*ix);
    }
    for (std::int64_t ix : firstPendingIndexes(s.finishedIndexes(), held, count, s.completions.value_or(0))) {
      indexes.emplace_back(ix);
    }
  } else {
    indexes.assign(count, std::nullopt);
  }
  if (indexes.empty()) co_return Result<void>{};
  expectations_.expectCreations(s.key, static_cast<int>(indexes.size()));
  client::ResourcePath path{"", "v1", "pods", jobutil::str(s.job, "metadata.namespace"), "", "", ""};
  json::object job = s.job;
  // Slow start (1, 2, 4, ...): a create that fails (quota, admission) fails once.
  std::size_t next = 0;
  for (std::size_t batch = 1; next < indexes.size(); batch *= 2) {
    std::size_t size = std::min(batch, indexes.size() - next);
    auto failures = std::make_shared<std::vector<Error>>();
    auto pending = std::make_shared<std::size_t>(size);
    auto batchDone = std::make_shared<asio::steady_timer>(executor_, std::chrono::steady_clock::time_point::max());
    for (std::size_t i = 0; i < size; ++i) {
      std::int64_t priorFailures = 0;
      if (s.perIndex() && indexes[next + i]) {
        auto it = s.indexFailures.find(*indexes[next + i]);
        if (it != s.indexFailures.end()) priorFailures = it->second;
      }
      json::object pod = podForIndex(job, indexes[next + i], priorFailures);
      asio::co_spawn(executor_, [this, path, pod = std::move(pod), job, failures]() -> asio::awaitable<void> {
        auto created = co_await client_.create(path, pod);
        if (created) {
          events_.record(job, "Normal", "SuccessfulCreate", "Created pod: " + jobutil::str(*created, "metadata.name"));
        } else {
          failures->push_back(created.error());
        }
      }, [pending, batchDone](std::exception_ptr) {
        if (--*pending == 0) batchDone->cancel();
      });
    }
    boost::system::error_code ec;
    co_await batchDone->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    next += size;
    s.activeCount += static_cast<std::int64_t>(size - failures->size());
    if (failures->empty()) continue;
    for (std::size_t i = 0; i < failures->size() + (indexes.size() - next); ++i) expectations_.creationFailed(s.key);
    const Error& first = failures->front();
    events_.record(job, "Warning", "FailedCreate", "Error creating: " + first.message);
    co_return first;
  }
  co_return Result<void>{};
}

asio::awaitable<Result<void>> JobController::deletePods(SyncState& s, const std::vector<PodPtr>& pods) {
  if (pods.empty()) co_return Result<void>{};
  std::set<std::string> keys;
  for (const PodPtr& p : pods) keys.insert(client::objectKey(*p));
  expectations_.expectDeletions(s.key, keys);
  std::optional<Error> firstError;
  for (const PodPtr& p : pods) {
    const json::object noOptions;
    auto deleted = co_await client_.remove(podPath(*p), noOptions);
    if (deleted || deleted.error().reason == Reason::NotFound) {
      --s.activeCount;
      if (isPodReady(*p)) --s.ready;
      if (deleted && jobutil::hasTrackingFinalizer(*p)) ++s.terminating;  // held until counted
      if (deleted) {
        events_.record(s.job, "Normal", "SuccessfulDelete", "Deleted pod: " + jobutil::str(*p, "metadata.name"));
      }
      if (!deleted) expectations_.deletionFailed(s.key, client::objectKey(*p));
      continue;
    }
    expectations_.deletionFailed(s.key, client::objectKey(*p));
    events_.record(s.job, "Warning", "FailedDelete", "Error deleting: " + deleted.error().message);
    if (!firstError) firstError = deleted.error();
  }
  if (firstError) co_return *firstError;
  co_return Result<void>{};
}

asio::awaitable<Result<std::set<std::string>>> JobController::removeFinalizers(const std::string& key,
                                                                              const std::vector<PodPtr>& pods) {
  std::set<std::string> removed;
  std::optional<Error> firstError;
  for (const PodPtr& p : pods) {
    std::string uid = jobutil::str(*p, "metadata.uid");
    json::object meta{{"uid", uid}};
    meta[std::string("$deleteFromPrimitiveList/finalizers")] = json::array{kJobTrackingFinalizer};
    const std::string body = json::serialize(json::object{{"metadata", std::move(meta)}});
    const std::string contentType = "application/strategic-merge-patch+json";
    auto patched = co_await client_.patch(podPath(*p), contentType, body);
    if (patched || patched.error().reason == Reason::NotFound) {
      removed.insert(uid);
      if (patched && !key.empty()) finalizersRemoved_[key].insert(uid);
      continue;
    }
    if (!firstError) firstError = patched.error();
  }
  if (firstError) co_return *firstError;
  co_return removed;
}

asio::awaitable<Result<void>> JobController::releaseOrphan(const std::string& podKey) {
  client::ObjectPtr pod = pods_.get(podKey);
  if (!pod || !jobutil::hasTrackingFinalizer(*pod)) co_return Result<void>{};
  if (client::ObjectPtr job = jobOf(*pod); job && !jobFinished(*job)) {
    queue_.add(client::objectKey(*job));  // counted by its Job's sync instead
    co_return Result<void>{};
  }
  std::vector<PodPtr> one{pod};
  auto removed = co_await removeFinalizers("", one);
  if (!removed) co_return std::move(removed).error();
  co_return Result<void>{};
}

}  // namespace kcpp::controllers
