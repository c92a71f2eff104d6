#pragma once
// spec.podFailurePolicy of a Job (upstream pkg/controller/job
// pod_failure_policy.go): the first rule matching a failed pod decides what its
// failure does: FailJob fails the Job at once, Ignore does not count it against
// backoffLimit, Count counts it as usual. (FailIndex needs backoffLimitPerIndex,
// which kcpp does not implement: such a failure is counted.)

#include <boost/json.hpp>

#include <optional>
#include <string>

namespace kcpp::controllers {

struct PodFailurePolicyMatch {
  std::string action;   // FailJob | Ignore | Count | FailIndex
  std::string message;  // for FailJob, the Job's condition message
};

// The first rule of the Job's podFailurePolicy matching `pod` (phase Failed).
std::optional<PodFailurePolicyMatch> matchPodFailurePolicy(const boost::json::object& job,
                                                           const boost::json::object& pod);

}  // namespace kcpp::controllers
