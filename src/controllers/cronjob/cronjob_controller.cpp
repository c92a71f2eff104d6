#include "controllers/cronjob/cronjob_controller.h"

#include <spdlog/spdlog.h>

#include "api/meta/object.h"
#include "controllers/common/controller_utils.h"
#include "controllers/cronjob/cronjob_status.h"
#include "controllers/job/job_conditions.h"

namespace kcpp::controllers {

namespace asio = boost::asio;
using client::ObjectPtr;
using namespace cronjobutil;

CronJobController::CronJobController(client::RestClient& client, client::InformerFactory& informers,
                                     asio::any_io_executor executor, CronJobControllerOptions options)
    : client_(client),
      cronJobs_(informers.forResource("batch", "v1", "cronjobs")),
      jobs_(informers.forResource("batch", "v1", "jobs")),
      informers_(informers),
      executor_(executor),
      options_(std::move(options)),
      queue_(executor),
      events_(client, executor, "cronjob-controller") {
  client::EventHandlers cronJobHandlers;
  cronJobHandlers.onAdd = [this](const ObjectPtr& c) { queue_.add(client::objectKey(*c)); };
  cronJobHandlers.onUpdate = [this](const ObjectPtr&, const ObjectPtr& c) { queue_.add(client::objectKey(*c)); };
  cronJobs_.addHandlers(std::move(cronJobHandlers));
  jobs_.addIndexer(kControllerUidIndex, controllerUidIndex);
  client::EventHandlers jobHandlers;
  jobHandlers.onAdd = [this](const ObjectPtr& j) { onJobEvent(j); };
  jobHandlers.onUpdate = [this](const ObjectPtr&, const ObjectPtr& j) { onJobEvent(j); };
  jobHandlers.onDelete = [this](const ObjectPtr& j) { onJobEvent(j); };
  jobs_.addHandlers(std::move(jobHandlers));
}

void CronJobController::onJobEvent(const ObjectPtr& job) {
  auto ref = controllerRef(*job);
  if (!ref || ref->kind != "CronJob") return;
  queue_.add(std::string(api::metaNamespace(*job)) + "/" + ref->name);
}

asio::awaitable<void> CronJobController::run() {
  if (!co_await waitForCaches(informers_, executor_, "cronjob")) co_return;
  co_await runWorkers(queue_, options_.workers, [this](const std::string& key) { return sync(key); }, "cronjob");
}

asio::awaitable<Result<void>> CronJobController::sync(const std::string& key) {
  ObjectPtr cached = cronJobs_.get(key);
  if (!cached) co_return Result<void>{};
  json::object cronJob = *cached;
  cronJob["apiVersion"] = "batch/v1";
  cronJob["kind"] = "CronJob";
  std::string uid = str(cronJob, "metadata.uid");
  std::vector<ObjectPtr> owned = jobs_.byIndex(kControllerUidIndex, uid);
  const json::value* before = cronJob.if_contains("status");
  json::value oldStatus = before ? *before : json::value(json::object());
  auto outcome = co_await syncCronJob(cronJob, owned);
  if (!api::findPath(cronJob, "metadata.deletionTimestamp")) {
    auto cleaned = co_await cleanupFinishedJobs(cronJob, owned);
    if (!cleaned) spdlog::debug("cronjob {}: cleaning up finished jobs: {}", key, cleaned.error().message);
  }
  const json::value* after = cronJob.if_contains("status");
  if (after && *after != oldStatus) {
    client::ResourcePath path{"batch", "v1", "cronjobs", str(cronJob, "metadata.namespace"),
                              str(cronJob, "metadata.name"), "status", ""};
    auto written = co_await client_.update(path, cronJob);
    if (!written && written.error().reason != Reason::NotFound) co_return std::move(written).error();
  }
  if (!outcome) co_return std::move(outcome).error();
  if (outcome->requeueAfter) queue_.addAfter(key, *outcome->requeueAfter);
  co_return Result<void>{};
}

std::optional<std::chrono::milliseconds> CronJobController::nextDelay(const json::object& cronJob,
                                                                      const Schedule& schedule) const {
  TimePoint created = timeAt(cronJob, "metadata.creationTimestamp").value_or(options_.clock->now());
  return nextScheduleDelay(schedule, created, timeAt(cronJob, "status.lastScheduleTime"), options_.clock->now());
}

asio::awaitable<Result<CronJobController::Outcome>> CronJobController::syncCronJob(
    json::object& cronJob, const std::vector<ObjectPtr>& jobs) {
  Outcome outcome;
  auto reconciled = co_await reconcileActive(cronJob, jobs);
  if (!reconciled) co_return std::move(reconciled).error();
  outcome.statusChanged = *reconciled;
  if (api::findPath(cronJob, "metadata.deletionTimestamp")) co_return outcome;  // starts nothing new
  std::string schedule = str(cronJob, "spec.schedule");
  std::string zoneName = str(cronJob, "spec.timeZone");
  bool hasZone = api::findPath(cronJob, "spec.timeZone") != nullptr;
  auto zone = TimeZone::load(hasZone ? zoneName : options_.defaultZone, options_.zoneinfoDir);
  if (!zone && hasZone) {
    events_.record(cronJob, "Warning", "UnknownTimeZone",
                   "invalid timeZone: \"" + zoneName + "\": " + zone.error().message);
    co_return outcome;
  }
  if (!zone) zone = TimeZone::utc();
  if (boolAt(cronJob, "spec.suspend")) co_return outcome;
  if (schedule.find("TZ") != std::string::npos) {
    events_.record(cronJob, "Warning", "UnsupportedSchedule",
                   "CRON_TZ or TZ used in schedule \"" + schedule +
                       "\" is not officially supported, see "
                       "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details");
  }
  auto parsed = api::validation::parseCronSchedule(schedule);
  if (auto* err = std::get_if<std::string>(&parsed)) {
    events_.record(cronJob, "Warning", "UnparseableSchedule", "unparseable schedule: \"" + schedule + "\" : " + *err);
    co_return outcome;
  }
  auto& spec = std::get<api::validation::CronSchedule>(parsed);
  if (!spec.timeZone.empty()) {  // a TZ= prefix wins, as robfig's parser
    auto prefixed = TimeZone::load(spec.timeZone, options_.zoneinfoDir);
    if (prefixed) zone = std::move(prefixed);
  }
  Schedule sched(spec, *zone);
  TimePoint now = options_.clock->now();
  TimePoint created = timeAt(cronJob, "metadata.creationTimestamp").value_or(now);
  auto deadline = numAt(cronJob, "spec.startingDeadlineSeconds");
  MostRecent recent = mostRecentScheduleTime(sched, created, timeAt(cronJob, "status.lastScheduleTime"), deadline, now);
  if (recent.invalid) {
    events_.record(cronJob, "Warning", "InvalidSchedule",
                   "invalid schedule: " + schedule + " : time difference between two schedules is less than 1 second");
    co_return outcome;
  }
  outcome.requeueAfter = nextDelay(cronJob, sched);
  if (!recent.mostRecent || *recent.mostRecent > now) co_return outcome;
  if (recent.missed == Missed::Many) {
    events_.record(cronJob, "Warning", "TooManyMissedTimes",
                   "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew");
  }
  TimePoint scheduled = *recent.mostRecent;
  if (deadline && scheduled + std::chrono::seconds(*deadline) < now) {
    events_.record(cronJob, "Warning", "MissSchedule",
                   "Missed scheduled time to start a job: " + formatRfc1123z(scheduled));
    co_return outcome;
  }
  if (activeHasName(cronJob, jobNameFor(cronJob, scheduled)) ||
      timeAt(cronJob, "status.lastScheduleTime") == scheduled) {
    co_return outcome;  // already started
  }
  co_return co_await startJob(cronJob, scheduled, *zone, sched, outcome);
}

asio::awaitable<Result<CronJobController::Outcome>> CronJobController::startJob(
    json::object& cronJob, TimePoint scheduled, const TimeZone& zone, const Schedule& schedule, Outcome outcome) {
  std::string policy = str(cronJob, "spec.concurrencyPolicy");
  json::array active = activeRefs(cronJob);
  if (policy == "Forbid" && !active.empty()) {
    // Checked again at the next start time.
    events_.record(cronJob, "Normal", "JobAlreadyActive",
                   "Not starting job because prior execution is running and concurrency policy is Forbid");
    co_return outcome;
  }
  if (policy == "Replace") {
    for (const auto& ref : active) {
      std::string name(api::getString(ref.as_object(), "name"));
      auto deleted = co_await deleteJob(cronJob, name);
      if (!deleted) co_return std::move(deleted).error();
      removeActive(cronJob, std::string(api::getString(ref.as_object(), "uid")));
      outcome.statusChanged = true;
    }
  }
  json::object job = jobFromTemplate(cronJob, scheduled, zone);
  client::ResourcePath path{"batch", "v1", "jobs", str(cronJob, "metadata.namespace"), "", "", ""};
  auto created = co_await client_.create(path, job);
  if (!created && created.error().reason == Reason::AlreadyExists) {
    // Made by an earlier sync whose status write was lost: take it up.
    path.name = str(job, "metadata.name");
    created = co_await client_.get(path);
    if (created) {
      auto ref = controllerRef(*created);
      if (!ref || ref->uid != str(cronJob, "metadata.uid")) co_return outcome;
    }
  } else if (created) {
    events_.record(cronJob, "Normal", "SuccessfulCreate", "Created job " + str(*created, "metadata.name"));
  }
  if (!created) {
    if (created.error().reason == Reason::Forbidden &&
        created.error().message.find("being terminated") != std::string::npos) {
      co_return outcome;  // the namespace is going away
    }
    events_.record(cronJob, "Warning", "FailedCreate", "Error creating job: " + created.error().message);
    co_return std::move(created).error();
  }
  if (!jobFinished(*created)) addActive(cronJob, *created);
  setStatusField(cronJob, "lastScheduleTime", json::value(api::formatTime(scheduled)));
  outcome.statusChanged = true;
  outcome.requeueAfter = nextDelay(cronJob, schedule);
  co_return outcome;
}

asio::awaitable<Result<bool>> CronJobController::reconcileActive(json::object& cronJob,
                                                                 const std::vector<ObjectPtr>& jobs) {
  bool changed = false;
  std::set<std::string> existing;
  for (const ObjectPtr& job : jobs) {
    std::string uid = str(*job, "metadata.uid");
    existing.insert(uid);
    auto finished = jobFinished(*job);
    bool listed = activeHasUid(cronJob, uid);
    if (!listed && !finished) {
      events_.record(cronJob, "Warning", "UnexpectedJob",
                     "Saw a job that the controller did not create or forgot: " + str(*job, "metadata.name"));
    } else if (listed && finished) {
      removeActive(cronJob, uid);
      events_.record(cronJob, "Normal", "SawCompletedJob",
                     "Saw completed job: " + str(*job, "metadata.name") + ", condition: " + finished->type);
      changed = true;
    }
    if (finished && finished->type == jobcond::kComplete) {
      auto completed = timeAt(*job, "status.completionTime");
      auto last = timeAt(cronJob, "status.lastSuccessfulTime");
      if (completed && (!last || *completed > *last)) {
        setStatusField(cronJob, "lastSuccessfulTime", json::value(api::formatTime(*completed)));
        changed = true;
      }
    }
  }
  for (const auto& ref : activeRefs(cronJob)) {
    std::string uid(api::getString(ref.as_object(), "uid"));
    if (existing.contains(uid)) continue;
    // Not in the cache: ask the server, the cache may be behind.
    std::string name(api::getString(ref.as_object(), "name"));
    client::ResourcePath path{"batch", "v1", "jobs", str(cronJob, "metadata.namespace"), name, "", ""};
    auto job = co_await client_.get(path);
    if (job && str(*job, "metadata.uid") == uid) continue;
    if (!job && job.error().reason != Reason::NotFound) co_return std::move(job).error();
    events_.record(cronJob, "Normal", "MissingJob", "Active job went missing: " + name);
    removeActive(cronJob, uid);
    changed = true;
  }
  co_return changed;
}

}  // namespace kcpp::controllers
