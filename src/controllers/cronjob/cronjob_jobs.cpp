// The Jobs a CronJob makes and cleans up.
#include <algorithm>

#include "api/meta/object.h"
#include "controllers/common/controller_utils.h"
#include "controllers/cronjob/cronjob_controller.h"
#include "controllers/cronjob/cronjob_status.h"
#include "controllers/job/job_conditions.h"

namespace kcpp::controllers {

namespace asio = boost::asio;
using client::ObjectPtr;
using namespace cronjobutil;

std::string jobNameFor(const json::object& cronJob, TimePoint scheduled) {
  auto minutes = std::chrono::duration_cast<std::chrono::minutes>(scheduled.time_since_epoch()).count();
  return str(cronJob, "metadata.name") + "-" + std::to_string(minutes);
}

json::object jobFromTemplate(const json::object& cronJob, TimePoint scheduled, const TimeZone& zone) {
  json::object job{{"apiVersion", "batch/v1"}, {"kind", "Job"}};
  json::object meta;
  const json::value* templ = api::findPath(cronJob, "spec.jobTemplate");
  const json::object* tmeta = templ && templ->is_object() ? api::findObject(templ->get_object(), "metadata") : nullptr;
  meta["labels"] = tmeta && tmeta->contains("labels") ? tmeta->at("labels") : json::value(json::object());
  json::object annotations;
  if (tmeta) {
    if (const json::object* a = api::findObject(*tmeta, "annotations")) annotations = *a;
  }
  annotations[kCronJobScheduledTimestamp] = formatRfc3339In(scheduled, zone);
  meta["annotations"] = std::move(annotations);
  meta["name"] = jobNameFor(cronJob, scheduled);
  meta["namespace"] = str(cronJob, "metadata.namespace");
  meta["ownerReferences"] = json::array{makeControllerRef(cronJob, "batch/v1", "CronJob")};
  if (meta["labels"].as_object().empty()) meta.erase("labels");
  job["metadata"] = std::move(meta);
  const json::value* spec = templ && templ->is_object() ? templ->get_object().if_contains("spec") : nullptr;
  job["spec"] = spec ? *spec : json::value(json::object());
  return job;
}

asio::awaitable<Result<void>> CronJobController::deleteJob(const json::object& cronJob, const std::string& name) {
  client::ResourcePath path{"batch", "v1", "jobs", str(cronJob, "metadata.namespace"), name, "", ""};
  const json::object background{{"propagationPolicy", "Background"}};
  auto deleted = co_await client_.remove(path, background);
  if (!deleted && deleted.error().reason != Reason::NotFound) {
    events_.record(cronJob, "Warning", "FailedDelete", "Deleted job: " + deleted.error().message);
    co_return std::move(deleted).error();
  }
  if (deleted) events_.record(cronJob, "Normal", "SuccessfulDelete", "Deleted job " + name);
  co_return Result<void>{};
}

namespace {

// Oldest first by status.startTime (Jobs without one last), then by name
// (upstream's byJobStartTime).
bool startedBefore(const ObjectPtr& a, const ObjectPtr& b) {
  auto sa = timeAt(*a, "status.startTime");
  auto sb = timeAt(*b, "status.startTime");
  if (sa.has_value() != sb.has_value()) return sa.has_value();
  if (sa && *sa != *sb) return *sa < *sb;
  return str(*a, "metadata.name") < str(*b, "metadata.name");
}

}  // namespace

asio::awaitable<Result<void>> CronJobController::cleanupFinishedJobs(const json::object& cronJob,
                                                                     const std::vector<ObjectPtr>& jobs) {
  auto successLimit = numAt(cronJob, "spec.successfulJobsHistoryLimit");
  auto failedLimit = numAt(cronJob, "spec.failedJobsHistoryLimit");
  if (!successLimit && !failedLimit) co_return Result<void>{};
  std::vector<ObjectPtr> succeeded, failed;
  for (const ObjectPtr& job : jobs) {
    auto finished = jobFinished(*job);
    if (!finished) continue;
    (finished->type == jobcond::kComplete ? succeeded : failed).push_back(job);
  }
  std::optional<Error> firstError;
  for (auto [list, limit] : {std::pair{&succeeded, successLimit}, std::pair{&failed, failedLimit}}) {
    if (!limit || static_cast<std::int64_t>(list->size()) <= *limit) continue;
    std::sort(list->begin(), list->end(), startedBefore);
    std::size_t surplus = list->size() - static_cast<std::size_t>(*limit);
    for (std::size_t i = 0; i < surplus; ++i) {
      std::string name = str(*(*list)[i], "metadata.name");
      auto deleted = co_await deleteJob(cronJob, name);
      if (!deleted && !firstError) firstError = deleted.error();
    }
  }
  if (firstError) co_return *firstError;
  co_return Result<void>{};
}

}  // namespace kcpp::controllers
