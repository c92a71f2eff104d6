#pragma once
// The CronJob controller (upstream pkg/controller/cronjob, the v2 controller):
// creates a Job from spec.jobTemplate at each time spec.schedule names (in
// spec.timeZone, or the controller's local zone), named
// <cronjob>-<scheduled time in minutes since the epoch> so a start is never
// made twice, and annotated batch.kubernetes.io/cronjob-scheduled-timestamp.
// It honours concurrencyPolicy (Allow, Forbid, Replace), suspend,
// startingDeadlineSeconds (too late a start is skipped; more than 100 missed
// starts raise TooManyMissedTimes), keeps status.active, lastScheduleTime and
// lastSuccessfulTime, and deletes finished Jobs beyond
// successfulJobsHistoryLimit / failedJobsHistoryLimit. It wakes up at the next
// scheduled time rather than polling. Time comes from a Clock, for tests.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "client/informer/informer_factory.h"
#include "client/rest/rest_client.h"
#include "client/workqueue/work_queue.h"
#include "controllers/common/clock.h"
#include "controllers/common/controller.h"
#include "controllers/common/event_recorder.h"
#include "controllers/cronjob/schedule_times.h"

namespace kcpp::controllers {

namespace json = boost::json;

inline constexpr const char* kCronJobScheduledTimestamp = "batch.kubernetes.io/cronjob-scheduled-timestamp";

struct CronJobControllerOptions {
  int workers = 5;  // upstream's --concurrent-cron-job-syncs
  ClockPtr clock = realClock();
  std::string zoneinfoDir = "/usr/share/zoneinfo";
  // Schedules without spec.timeZone are read in the controller's own zone, as upstream.
  std::string defaultZone = "Local";
};

// The Job a CronJob starts for `scheduled` (upstream's getJobFromTemplate2).
json::object jobFromTemplate(const json::object& cronJob, TimePoint scheduled, const TimeZone& zone);
// "<cronjob>-<minutes since the epoch>".
std::string jobNameFor(const json::object& cronJob, TimePoint scheduled);

class CronJobController : public Controller {
 public:
  CronJobController(client::RestClient& client, client::InformerFactory& informers,
                    boost::asio::any_io_executor executor, CronJobControllerOptions options = {});

  boost::asio::awaitable<void> run() override;
  void stop() override { queue_.shutDown(); }

 private:
  struct Outcome {
    std::optional<std::chrono::milliseconds> requeueAfter;
    bool statusChanged = false;
  };

  void onJobEvent(const client::ObjectPtr& job);
  boost::asio::awaitable<Result<void>> sync(const std::string& key);
  boost::asio::awaitable<Result<Outcome>> syncCronJob(json::object& cronJob, const std::vector<client::ObjectPtr>& jobs);
  // Reconciles status.active and lastSuccessfulTime with the Jobs that exist.
  boost::asio::awaitable<Result<bool>> reconcileActive(json::object& cronJob, const std::vector<client::ObjectPtr>& jobs);
  boost::asio::awaitable<Result<Outcome>> startJob(json::object& cronJob, TimePoint scheduled, const TimeZone& zone,
                                                   const Schedule& schedule, Outcome outcome);
  boost::asio::awaitable<Result<void>> cleanupFinishedJobs(const json::object& cronJob,
                                                           const std::vector<client::ObjectPtr>& jobs);
  boost::asio::awaitable<Result<void>> deleteJob(const json::object& cronJob, const std::string& name);
  std::optional<std::chrono::milliseconds> nextDelay(const json::object& cronJob, const Schedule& schedule) const;

  client::RestClient& client_;
  client::Informer& cronJobs_;
  client::Informer& jobs_;
  client::InformerFactory& informers_;
  boost::asio::any_io_executor executor_;
  CronJobControllerOptions options_;
  client::WorkQueue queue_;
  EventRecorder events_;
};

}  // namespace kcpp::controllers
