// batch/v1 columns: jobs and cronjobs (upstream's printJob, printCronJob).

#include "api/meta/object.h"
#include "apiserver/handlers/table.h"
#include "apiserver/handlers/table_columns.h"

namespace kcpp::apiserver::table {

namespace {

const char* const kJobSelectorDescription =
    "A label query over pods that should match the pod count. Normally, the system sets this "
    "field for you. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors";

// "succeeded/completions"; without completions "succeeded/1", or "succeeded/1 of
// N" for a work queue with parallelism N > 1.
std::string completions(const json::object& job) {
  std::string succeeded = std::to_string(num(job, "status.succeeded"));
  if (has(job, "spec.completions")) {
    return succeeded + "/" + std::to_string(num(job, "spec.completions"));
  }
  std::int64_t parallelism = num(job, "spec.parallelism");
  if (parallelism > 1) return succeeded + "/1 of " + std::to_string(parallelism);
  return succeeded + "/1";
}

// From start to completion, or to now while running; "" before it starts.
std::string duration(const json::object& job) {
  auto start = timeAt(job, "status.startTime");
  if (!start) return "";
  auto end = timeAt(job, "status.completionTime");
  if (!end) return since(*start);
  return humanDuration(std::chrono::duration_cast<std::chrono::seconds>(*end - *start));
}

bool jobCondition(const json::object& job, std::string_view type) {
  for (const json::value& c : arr(job, "status.conditions")) {
    if (str(asObject(c), "type") == type) return str(asObject(c), "status") == "True";
  }
  return false;
}

std::string jobStatus(const json::object& job) {
  if (jobCondition(job, "Complete")) return "Complete";
  if (jobCondition(job, "Failed")) return "Failed";
  if (has(job, "metadata.deletionTimestamp")) return "Terminating";
  if (jobCondition(job, "Suspended")) return "Suspended";
  if (jobCondition(job, "FailureTarget")) return "FailureTarget";
  return "Running";
}

Printer jobPrinter() {
  std::vector<Column> columns{
      nameColumn(), textColumn("Status", "Status of the job.", jobStatus),
      textColumn("Completions",
                 "The number of pods which reached phase Succeeded. The value increases "
                 "monotonically for a given spec. However, it may decrease in reaction to scale "
                 "down of elastic indexed jobs.",
                 completions),
      textColumn("Duration", "Time required to complete the job.", duration), ageColumn()};
  addTemplateColumns(columns, "spec.template.spec.containers");
  columns.push_back(textColumn(
      "Selector", kJobSelectorDescription,
      [](const json::object& o) { return formatSelector(o, "spec.selector"); }, 1));
  return {std::move(columns), nullptr};
}

std::string lastSchedule(const json::object& cj) {
  if (!has(cj, "status.lastScheduleTime")) return "<none>";
  return since(cj, "status.lastScheduleTime");
}

Printer cronJobPrinter() {
  std::vector<Column> columns{
      nameColumn(),
      textColumn("Schedule", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.",
                 [](const json::object& o) { return str(o, "spec.schedule"); }),
      textColumn("Timezone",
                 "The time zone name for the given schedule, see "
                 "https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not "
                 "specified, this will default to the time zone of the kube-controller-manager "
                 "process. The set of valid time zone names and the time zone offset is loaded "
                 "from the system-wide time zone database by the API server during CronJob "
                 "validation and the controller manager during execution. If no system-wide "
                 "time zone database can be found a bundled version of the database is used "
                 "instead. If the time zone name becomes invalid during the lifetime of a "
                 "CronJob or due to a change in host configuration, the controller will stop "
                 "creating new new Jobs and will create a system event with the reason "
                 "UnknownTimeZone. More information can be found in "
                 "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/"
                 "#time-zones",
                 [](const json::object& o) {
                   return has(o, "spec.timeZone") ? str(o, "spec.timeZone") : "<none>";
                 }),
      {"Suspend", "boolean", "",
       "This flag tells the controller to suspend subsequent executions, it does not apply to "
       "already started executions.  Defaults to false.",
       0,
       // spec.suspend defaults to false.
       [](const json::object& o) {
         return json::value(has(o, "spec.suspend") ? boolPtr(o, "spec.suspend") : "False");
       }},
      intColumn("Active", "integer", "A list of pointers to currently running jobs.",
                [](const json::object& o) {
                  return static_cast<std::int64_t>(arr(o, "status.active").size());
                }),
      textColumn("Last Schedule",
                 "Information when was the last time the job was successfully scheduled.",
                 lastSchedule),
      ageColumn()};
  addTemplateColumns(columns, "spec.jobTemplate.spec.template.spec.containers");
  columns.push_back(textColumn(
      "Selector", kJobSelectorDescription,
      [](const json::object& o) { return formatSelector(o, "spec.jobTemplate.spec.selector"); },
      1));
  return {std::move(columns), nullptr};
}

}  // namespace

void addBatchPrinters(PrinterMap& printers) {
  printers["batch/jobs"] = jobPrinter();
  printers["batch/cronjobs"] = cronJobPrinter();
}

}  // namespace kcpp::apiserver::table
