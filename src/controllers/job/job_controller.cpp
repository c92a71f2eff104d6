#include "controllers/job/job_controller.h"

#include <charconv>

#include <spdlog/spdlog.h>

#include <algorithm>

#include "api/meta/object.h"
#include "controllers/job/indexed_job_utils.h"
#include "controllers/job/job_sync_state.h"
#include "controllers/job/pod_failure_policy.h"

namespace kcpp::controllers {

namespace asio = boost::asio;
using client::ObjectPtr;

JobController::JobController(client::RestClient& client, client::InformerFactory& informers,
                             asio::any_io_executor executor, JobControllerOptions options)
    : client_(client),
      jobs_(informers.forResource("batch", "v1", "jobs")),
      pods_(informers.forResource("", "v1", "pods")),
      informers_(informers),
      executor_(executor),
      options_(std::move(options)),
      queue_(executor),
      events_(client, executor, "job-controller") {
  pods_.addIndexer(kControllerUidIndex, controllerUidIndex);
  registerHandlers();
}

void JobController::registerHandlers() {
  client::EventHandlers jobHandlers;
  jobHandlers.onAdd = [this](const ObjectPtr& j) { queue_.add(client::objectKey(*j)); };
  jobHandlers.onUpdate = [this](const ObjectPtr&, const ObjectPtr& j) { queue_.add(client::objectKey(*j)); };
  jobHandlers.onDelete = [this](const ObjectPtr& j) { onJobDeleted(j); };
  jobs_.addHandlers(std::move(jobHandlers));
  client::EventHandlers podHandlers;
  podHandlers.onAdd = [this](const ObjectPtr& p) { onPodEvent(p); };
  podHandlers.onUpdate = [this](const ObjectPtr& o, const ObjectPtr& n) { onPodUpdated(o, n); };
  podHandlers.onDelete = [this](const ObjectPtr& p) { onPodDeleted(p); };
  pods_.addHandlers(std::move(podHandlers));
}

ObjectPtr JobController::jobOf(const json::object& pod) const {
  auto ref = controllerRef(pod);
  if (!ref || ref->kind != "Job") return nullptr;
  ObjectPtr job = jobs_.get(jobutil::str(pod, "metadata.namespace") + "/" + ref->name);
  if (!job || jobutil::str(*job, "metadata.uid") != ref->uid) return nullptr;
  return job;
}

void JobController::enqueueOrphan(const json::object& pod) {
  if (jobutil::hasTrackingFinalizer(pod)) queue_.add(std::string(jobutil::kOrphanPrefix) + client::objectKey(pod));
}

void JobController::onPodEvent(const ObjectPtr& pod) {
  ObjectPtr job = jobOf(*pod);
  if (!job) {
    enqueueOrphan(*pod);
    return;
  }
  std::string key = client::objectKey(*job);
  if (api::findPath(*pod, "metadata.deletionTimestamp")) {
    expectations_.deletionObserved(key, client::objectKey(*pod));
  } else {
    expectations_.creationObserved(key);
  }
  queue_.add(key);
}

void JobController::onPodUpdated(const ObjectPtr& oldPod, const ObjectPtr& newPod) {
  if (jobutil::str(*oldPod, "metadata.resourceVersion") == jobutil::str(*newPod, "metadata.resourceVersion")) return;
  ObjectPtr job = jobOf(*newPod);
  if (!job) {
    enqueueOrphan(*newPod);
    return;
  }
  std::string key = client::objectKey(*job);
  if (!jobutil::hasTrackingFinalizer(*newPod)) {
    finalizersRemoved_[key].erase(jobutil::str(*newPod, "metadata.uid"));
  }
  bool nowDeleting = api::findPath(*newPod, "metadata.deletionTimestamp") &&
                     !api::findPath(*oldPod, "metadata.deletionTimestamp");
  if (nowDeleting) expectations_.deletionObserved(key, client::objectKey(*newPod));
  queue_.add(key);
}

void JobController::onPodDeleted(const ObjectPtr& pod) {
  ObjectPtr job = jobOf(*pod);
  if (!job) return;
  std::string key = client::objectKey(*job);
  expectations_.deletionObserved(key, client::objectKey(*pod));
  finalizersRemoved_[key].erase(jobutil::str(*pod, "metadata.uid"));
  queue_.add(key);
}

void JobController::onJobDeleted(const ObjectPtr& job) {
  std::string key = client::objectKey(*job);
  expectations_.forget(key);
  finalizersRemoved_.erase(key);
  backoff_.erase(key);
  writtenRevision_.erase(key);
  // Its pods may still hold the tracking finalizer: release them.
  for (const ObjectPtr& pod : pods_.byIndex(kControllerUidIndex, jobutil::str(*job, "metadata.uid"))) {
    enqueueOrphan(*pod);
  }
}

asio::awaitable<void> JobController::run() {
  if (!co_await waitForCaches(informers_, executor_, "job")) co_return;
  co_await runWorkers(queue_, options_.workers, [this](const std::string& key) { return sync(key); }, "job");
}

asio::awaitable<Result<void>> JobController::sync(const std::string& key) {
  if (key.starts_with(jobutil::kOrphanPrefix)) {
    co_return co_await releaseOrphan(key.substr(std::string_view(jobutil::kOrphanPrefix).size()));
  }
  ObjectPtr cached = jobs_.get(key);
  if (!cached) {
    expectations_.forget(key);
    co_return Result<void>{};
  }
  // A Job another controller manages (spec.managedBy) is left to it.
  std::string managedBy = jobutil::str(*cached, "spec.managedBy");
  if (!managedBy.empty() && managedBy != "kubernetes.io/job-controller") co_return Result<void>{};
  if (statusIsStale(key, *cached)) co_return Result<void>{};  // our newer write's event will come
  json::object job = *cached;
  job["apiVersion"] = "batch/v1";
  job["kind"] = "Job";
  co_return co_await syncJob(key, std::move(job));
}

asio::awaitable<Result<void>> JobController::syncJob(const std::string& key, json::object job) {
  std::string uid = jobutil::str(job, "metadata.uid");
  std::vector<PodPtr> owned;
  for (const ObjectPtr& pod : pods_.byIndex(kControllerUidIndex, uid)) owned.push_back(pod);
  if (jobFinished(job) || api::findPath(job, "metadata.deletionTimestamp")) {
    // Finished or going away: nothing is counted any more; release what
    // still holds a finalizer.
    std::vector<PodPtr> held;
    for (const PodPtr& p : owned) {
      if (jobutil::hasTrackingFinalizer(*p)) held.push_back(p);
    }
    auto removed = co_await removeFinalizers(key, held);
    if (!removed) co_return std::move(removed).error();
    co_return Result<void>{};
  }
  SyncState s = SyncState::from(key, std::move(job), std::move(owned), options_.clock->now());
  classifyPods(s);
  decideFailure(s);
  auto managed = co_await manageJob(s);
  decideSuccess(s);
  auto tracked = co_await trackStatus(s);
  if (!managed) co_return std::move(managed).error();
  co_return tracked;
}

namespace {

// The failures of earlier pods of the same index this pod was told of.
std::int64_t indexFailuresOf(const json::object& pod) {
  const json::value* annotations = api::findPath(pod, "metadata.annotations");
  if (!annotations || !annotations->is_object()) return 0;
  const json::value* v = annotations->get_object().if_contains(kJobIndexFailureCountKey);
  if (!v || !v->is_string()) return 0;
  std::int64_t n = 0;
  std::string_view text = v->get_string();
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  return ec == std::errc() && ptr == text.data() + text.size() && n >= 0 ? n : 0;
}

}  // namespace

void JobController::classifyPods(SyncState& s) {
  const std::set<std::string>& pending = finalizersRemoved_[s.key];
  const bool finishing = trueCondition(s.job, jobcond::kFailureTarget) || trueCondition(s.job, jobcond::kSuccessCriteriaMet);
  // The next pod of an index is told how many pods of it failed before.
  if (s.perIndex()) {
    for (const PodPtr& pod : s.pods) {
      auto index = completionIndexOf(*pod);
      if (!index || jobutil::str(*pod, "status.phase") != "Failed") continue;
      auto match = matchPodFailurePolicy(s.job, *pod);
      std::int64_t seen = indexFailuresOf(*pod) + (match && match->action == "Ignore" ? 0 : 1);
      s.indexFailures[*index] = std::max(s.indexFailures[*index], seen);
    }
  }
  int newSucceeded = 0, newFailed = 0;
  for (const PodPtr& pod : s.pods) {
    std::string phase = jobutil::str(*pod, "status.phase");
    bool terminal = phase == "Succeeded" || phase == "Failed";
    bool deleting = api::findPath(*pod, "metadata.deletionTimestamp") != nullptr;
    if (!terminal && !deleting) {
      s.active.push_back(pod);
      if (isPodReady(*pod)) ++s.ready;
    }
    if (!terminal && deleting) ++s.terminating;
    std::string uid = jobutil::str(*pod, "metadata.uid");
    if (!jobutil::hasTrackingFinalizer(*pod) || pending.contains(uid)) continue;
    if (!terminal && !deleting) continue;
    s.toRemoveFinalizer.push_back(pod);
    std::optional<std::int64_t> index = completionIndexOf(*pod);
    bool indexInRange = !s.indexed || (index && *index < s.completions.value_or(0));
    if (phase == "Succeeded") {
      if (!indexInRange || s.isUncounted(uid)) continue;
      if (s.indexed) {
        if (s.completedIndexes.contains(*index)) continue;
        s.completedIndexes.insert(*index);
      }
      s.uncountedSucceeded.push_back(uid);
      ++newSucceeded;
      continue;
    }
    // A deleted pod that never succeeded counts as failed, unless the Job only
    // replaces pods once they have failed (upstream's isPodFailed).
    bool failed = phase == "Failed" || !s.onlyReplaceFailed;
    bool failIndex = false;
    if (failed && phase == "Failed" && !s.isUncounted(uid)) {
      auto match = matchPodFailurePolicy(s.job, *pod);
      if (match && match->action == "Ignore") continue;  // released, never counted
      if (match && match->action == "FailJob" && !s.policyFailure) {
        s.policyFailure = JobCondition{jobcond::kFailureTarget, "True", "PodFailurePolicy", match->message};
      }
      failIndex = match && match->action == "FailIndex";
    }
    if (failed && indexInRange && !s.isUncounted(uid)) {
      s.uncountedFailed.push_back(uid);
      ++newFailed;
      // backoffLimitPerIndex: the pod's failure is its index's n-th. Pods
      // the controller itself stops once the Job is finishing fail no index.
      if (s.perIndex() && !finishing && !s.completedIndexes.contains(*index) &&
          (failIndex || indexFailuresOf(*pod) + 1 > *s.backoffLimitPerIndex)) {
        s.failedIndexes.insert(*index);
      }
    }
  }
  s.newSucceeded = newSucceeded;
  s.newFailed = newFailed;
}

void JobController::decideFailure(SyncState& s) {
  for (const char* interim : {jobcond::kFailureTarget, jobcond::kSuccessCriteriaMet}) {
    if (const json::object* c = trueCondition(s.job, interim)) {
      s.finished = JobCondition{interim, "True", std::string(api::getString(*c, "reason")),
                                std::string(api::getString(*c, "message"))};
      return;
    }
  }
  if (s.policyFailure) {
    s.finished = s.policyFailure;
  } else if (s.failedTotal() > s.backoffLimit || s.pastBackoffLimitOnFailure()) {
    s.finished = JobCondition{jobcond::kFailureTarget, "True", "BackoffLimitExceeded",
                              "Job has reached the specified backoff limit"};
  } else if (s.pastActiveDeadline()) {
    s.finished = JobCondition{jobcond::kFailureTarget, "True", "DeadlineExceeded",
                              "Job was active longer than specified deadline"};
  } else if (s.perIndex() && s.maxFailedIndexes &&
             static_cast<std::int64_t>(s.failedIndexes.size()) > *s.maxFailedIndexes) {
    s.finished = JobCondition{jobcond::kFailureTarget, "True", "MaxFailedIndexesExceeded",
                              "Job has exceeded the specified maximal number of failed indexes"};
  } else if (s.indexed) {
    // successPolicy: enough of the right indexes succeeded; the rest are stopped.
    if (auto matched = matchSuccessPolicy(s.job, s.completedIndexes, s.completions.value_or(0))) {
      s.finished = JobCondition{jobcond::kSuccessCriteriaMet, "True", "SuccessPolicy", *matched};
    }
  }
}

void JobController::decideSuccess(SyncState& s) {
  if (s.finished) return;
  std::int64_t succeeded = s.succeededTotal();
  bool complete = s.completions ? succeeded >= *s.completions : succeeded > 0;
  if (complete && s.activeCount == 0) {
    s.finished = JobCondition{jobcond::kSuccessCriteriaMet, "True", "CompletionsReached",
                              "Reached expected number of succeeded pods"};
  } else if (s.perIndex() && !s.failedIndexes.empty() &&
             static_cast<std::int64_t>(s.finishedIndexes().size()) >= s.completions.value_or(0)) {
    s.finished = JobCondition{jobcond::kFailureTarget, "True", "FailedIndexes", "Job has failed indexes"};
  }
}

asio::awaitable<Result<void>> JobController::trackStatus(SyncState& s) {
  if (s.finished) ensureCondition(s.conditions, *s.finished, s.nowText);
  auto first = co_await writeStatus(s, buildStatus(s));
  if (!first) co_return first;
  // Recorded once: a sync that failed before this point sees the same pods again.
  BackoffRecord& record = backoff_[s.key];
  if (s.newSucceeded > 0) record.failuresAfterLastSuccess = 0;
  if (s.newFailed > 0) {
    record.failuresAfterLastSuccess += s.newFailed;
    record.lastFailure = s.now;
  }
  auto removed = co_await removeFinalizers(s.key, s.toRemoveFinalizer);
  if (!removed) co_return std::move(removed).error();
  // Pods whose finalizer is gone are counted for good.
  std::set<std::string> stillHeld;
  const std::set<std::string>& pending = finalizersRemoved_[s.key];
  for (const PodPtr& pod : s.pods) {
    std::string uid = jobutil::str(*pod, "metadata.uid");
    if (jobutil::hasTrackingFinalizer(*pod) && !removed->contains(uid) && !pending.contains(uid)) {
      stillHeld.insert(uid);
    }
  }
  s.flushUncounted(stillHeld);
  // Not while a create or delete is still to show up in the cache: a pod
  // created from a stale view must be seen (and deleted) first.
  bool podsGone = s.activeCount == 0 && s.terminating == 0 && s.uncountedSucceeded.empty() &&
                  s.uncountedFailed.empty() && expectations_.satisfied(s.key);
  if (s.finished && podsGone) {
    bool success = s.finished->type == jobcond::kSuccessCriteriaMet;
    JobCondition final = *s.finished;
    final.type = success ? jobcond::kComplete : jobcond::kFailed;
    ensureCondition(s.conditions, final, s.nowText);
    if (success) s.completionTime = s.nowText;
    s.finalAdded = true;
  }
  auto second = co_await writeStatus(s, buildStatus(s));
  if (!second) co_return second;
  if (s.finalAdded) recordFinished(s);
  co_return Result<void>{};
}

void JobController::recordFinished(const SyncState& s) {
  if (s.finished->type == jobcond::kSuccessCriteriaMet) {
    events_.record(s.job, "Normal", "Completed", "Job completed");
  } else {
    events_.record(s.job, "Warning", s.finished->reason, s.finished->message);
  }
}

json::object JobController::buildStatus(const SyncState& s) const {
  json::object status;
  if (const json::object* old = api::findObject(s.job, "status")) status = *old;
  auto setCount = [&status](const char* field, std::int64_t n) {
    if (n) {
      status[field] = n;
    } else {
      status.erase(field);
    }
  };
  setCount("active", s.activeCount);
  setCount("succeeded", s.succeededCounted());
  setCount("failed", s.failed);
  status["ready"] = s.ready;
  status["terminating"] = s.terminating;
  json::object uncounted;
  if (!s.uncountedSucceeded.empty()) uncounted["succeeded"] = jobutil::toArray(s.uncountedSucceeded);
  if (!s.uncountedFailed.empty()) uncounted["failed"] = jobutil::toArray(s.uncountedFailed);
  status["uncountedTerminatedPods"] = std::move(uncounted);
  if (s.startTime) {
    status["startTime"] = *s.startTime;
  } else {
    status.erase("startTime");
  }
  if (s.completionTime) status["completionTime"] = *s.completionTime;
  if (s.indexed && !s.completedIndexes.empty()) {
    status["completedIndexes"] = formatIndexes(s.completedIndexes);
  } else {
    status.erase("completedIndexes");
  }
  // Written (even empty) whenever backoffLimitPerIndex is set, as upstream.
  if (s.perIndex()) status["failedIndexes"] = formatIndexes(s.failedIndexes);
  if (!s.conditions.empty()) {
    status["conditions"] = s.conditions;
  } else {
    status.erase("conditions");
  }
  return status;
}

asio::awaitable<Result<void>> JobController::writeStatus(SyncState& s, json::object status) {
  const json::value* current = s.job.if_contains("status");
  if (current && *current == json::value(status)) co_return Result<void>{};
  json::object next = s.job;
  next["status"] = std::move(status);
  client::ResourcePath path{"batch", "v1", "jobs", jobutil::str(s.job, "metadata.namespace"),
                            jobutil::str(s.job, "metadata.name"), "status", ""};
  auto written = co_await client_.update(path, next);
  if (!written) co_return std::move(written).error();
  written->emplace("apiVersion", "batch/v1");
  written->emplace("kind", "Job");
  s.job = std::move(*written);
  if (auto rv = jobutil::revision(s.job)) writtenRevision_[s.key] = *rv;
  co_return Result<void>{};
}

bool JobController::statusIsStale(const std::string& key, const json::object& cached) const {
  auto written = writtenRevision_.find(key);
  auto rv = jobutil::revision(cached);
  return written != writtenRevision_.end() && rv && *rv < written->second;
}

}  // namespace kcpp::controllers
