#include "apiserver/admission/podsecurity/policy/policy.h"

#include <algorithm>

#include "apiserver/admission/podsecurity/policy/check_support.h"

namespace kcpp::apiserver::admission::podsecurity {

namespace {

using detail::Check;

// Every check, ordered as upstream's registry orders them: baseline checks by
// ID, then restricted checks by ID (Go's byte-wise string order).
std::vector<Check> orderedChecks() {
  std::vector<Check> all;
  for (auto group : {detail::hostChecks, detail::volumeChecks, detail::containerChecks,
                     detail::profileChecks, detail::userChecks}) {
    for (Check& c : group()) all.push_back(std::move(c));
  }
  std::sort(all.begin(), all.end(), [](const Check& a, const Check& b) {
    if (a.level != b.level) return a.level == Level::Baseline;
    return a.id < b.id;
  });
  return all;
}

// The checks of each level: baseline's own; restricted's own plus the baseline
// checks none of them overrides.
struct LevelChecks {
  std::vector<Check> baseline;
  std::vector<Check> restricted;
};

LevelChecks buildLevels() {
  std::vector<Check> all = orderedChecks();
  std::vector<std::string> overridden;
  for (const Check& c : all) {
    overridden.insert(overridden.end(), c.overrides.begin(), c.overrides.end());
  }
  LevelChecks levels;
  for (const Check& c : all) {
    if (c.level == Level::Baseline) {
      levels.baseline.push_back(c);
      if (std::find(overridden.begin(), overridden.end(), c.id) == overridden.end()) {
        levels.restricted.push_back(c);
      }
    } else {
      levels.restricted.push_back(c);
    }
  }
  return levels;
}

const LevelChecks& levels() {
  static const LevelChecks built = buildLevels();  // constant data, built once
  return built;
}

}  // namespace

std::string_view levelName(Level level) {
  switch (level) {
    case Level::Privileged: return "privileged";
    case Level::Baseline: return "baseline";
    case Level::Restricted: return "restricted";
  }
  return "";
}

std::vector<Violation> evaluatePod(Level level, const json::object& podMetadata,
                                   const json::object& podSpec) {
  if (level == Level::Privileged) return {};
  const std::vector<Check>& checks =
      level == Level::Baseline ? levels().baseline : levels().restricted;
  std::vector<Violation> out;
  for (const Check& check : checks) {
    if (auto v = check.run(podMetadata, podSpec)) out.push_back(std::move(*v));
  }
  return out;
}

std::string forbiddenDetail(const std::vector<Violation>& violations) {
  std::string out;
  for (const Violation& v : violations) {
    if (!out.empty()) out += ", ";
    out += v.reason;
    if (!v.detail.empty()) out += " (" + v.detail + ")";
  }
  return out;
}

std::string forbiddenReasons(const std::vector<Violation>& violations) {
  std::string out;
  for (const Violation& v : violations) {
    if (!out.empty()) out += ", ";
    out += v.reason;
  }
  return out;
}

}  // namespace kcpp::apiserver::admission::podsecurity
