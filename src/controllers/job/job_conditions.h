#pragma once
// Job status conditions as upstream writes them (pkg/controller/job): the
// interim SuccessCriteriaMet / FailureTarget, the terminal Complete / Failed
// added once no pod is left running, and Suspended. Also read by the CronJob
// and TTL-after-finished controllers to tell whether a Job has finished.

#include <boost/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace kcpp::controllers {

namespace jobcond {
inline constexpr const char* kComplete = "Complete";
inline constexpr const char* kFailed = "Failed";
inline constexpr const char* kSuccessCriteriaMet = "SuccessCriteriaMet";
inline constexpr const char* kFailureTarget = "FailureTarget";
inline constexpr const char* kSuspended = "Suspended";
}  // namespace jobcond

struct JobCondition {
  std::string type;
  std::string status = "True";
  std::string reason;
  std::string message;
};

// The condition of `type` with status True, if any.
const boost::json::object* trueCondition(const boost::json::object& job, std::string_view type);

struct JobFinish {
  std::string type;  // Complete or Failed
  std::optional<std::chrono::system_clock::time_point> at;  // its lastTransitionTime
};
// Complete or Failed True (upstream's IsJobFinished / getFinishedStatus).
std::optional<JobFinish> jobFinished(const boost::json::object& job);

// Sets the condition in `conditions` (a status.conditions array): added when
// absent, its status/reason/message/times replaced when its status differs.
// A False condition is only written over an existing one (upstream's
// ensureJobConditionStatus). True when something changed.
bool ensureCondition(boost::json::array& conditions, const JobCondition& c, const std::string& now);

}  // namespace kcpp::controllers
