#include "controllers/job/job_conditions.h"

#include "api/meta/object.h"

namespace kcpp::controllers {

namespace json = boost::json;

const json::object* trueCondition(const json::object& job, std::string_view type) {
  const json::value* conditions = api::findPath(job, "status.conditions");
  if (!conditions || !conditions->is_array()) return nullptr;
  for (const auto& c : conditions->get_array()) {
    if (!c.is_object()) continue;
    const json::object& cond = c.get_object();
    if (api::getString(cond, "type") == type && api::getString(cond, "status") == "True") return &cond;
  }
  return nullptr;
}

std::optional<JobFinish> jobFinished(const json::object& job) {
  for (const char* type : {jobcond::kComplete, jobcond::kFailed}) {
    if (const json::object* c = trueCondition(job, type)) {
      return JobFinish{type, api::parseTime(api::getString(*c, "lastTransitionTime"))};
    }
  }
  return std::nullopt;
}

bool ensureCondition(json::array& conditions, const JobCondition& c, const std::string& now) {
  for (auto& v : conditions) {
    if (!v.is_object() || api::getString(v.get_object(), "type") != c.type) continue;
    json::object& cond = v.get_object();
    if (api::getString(cond, "status") == c.status) return false;
    cond["status"] = c.status;
    cond["reason"] = c.reason;
    cond["message"] = c.message;
    cond["lastProbeTime"] = now;
    cond["lastTransitionTime"] = now;
    return true;
  }
  if (c.status != "True") return false;
  conditions.push_back(json::object{{"type", c.type},
                                    {"status", c.status},
                                    {"lastProbeTime", now},
                                    {"lastTransitionTime", now},
                                    {"reason", c.reason},
                                    {"message", c.message}});
  return true;
}

}  // namespace kcpp::controllers
