#pragma once
// The Pod Security Standards as upstream's pod-security-admission evaluates
// them (policy package, v1.33): the checks of the baseline and restricted
// levels, run on a pod's metadata and spec (or a pod template's).
//
// kcpp evaluates every policy version as the newest one it knows (v1.33):
// a namespace pinned to an older "v1.x" is held to today's checks, which only
// differ from older versions' in corner cases (pre-1.19 seccomp annotations,
// the smaller sysctl and SELinux allow-lists of old versions).

#include <boost/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace kcpp::apiserver::admission::podsecurity {

namespace json = boost::json;

enum class Level { Privileged, Baseline, Restricted };

std::string_view levelName(Level level);

// One failed check: upstream's ForbiddenReason and ForbiddenDetail.
struct Violation {
  std::string reason;  // "privileged", "host namespaces", ...
  std::string detail;  // `container "c" must not set ...`; may be empty
};

// The checks a pod fails at `level`, in upstream's order (baseline checks by
// ID, then restricted ones by ID; restricted checks replace the baseline ones
// they tighten). Empty: the pod is allowed.
std::vector<Violation> evaluatePod(Level level, const json::object& podMetadata,
                                   const json::object& podSpec);

// `reason (detail), reason, ...`: the text after "violates PodSecurity ...: ".
std::string forbiddenDetail(const std::vector<Violation>& violations);
// `reason, reason, ...`: the short form used for existing pods in a namespace.
std::string forbiddenReasons(const std::vector<Violation>& violations);

}  // namespace kcpp::apiserver::admission::podsecurity
