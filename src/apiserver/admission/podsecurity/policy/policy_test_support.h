#pragma once
// Test-only: pods from JSON text and the single violation a check yields.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "apiserver/admission/podsecurity/policy/policy.h"

namespace kcpp::apiserver::admission::podsecurity::testing {

inline json::object obj(std::string_view text) { return json::parse(text).as_object(); }

// The violations of a pod whose spec (and optionally metadata) is given.
inline std::vector<Violation> evaluate(Level level, std::string_view spec,
                                       std::string_view meta = "{}") {
  return evaluatePod(level, obj(meta), obj(spec));
}

// The one violation with `reason` among the pod's violations at `level`.
inline std::optional<Violation> find(Level level, std::string_view reason, std::string_view spec,
                                     std::string_view meta = "{}") {
  for (Violation& v : evaluate(level, spec, meta)) {
    if (v.reason == reason) return v;
  }
  return std::nullopt;
}

}  // namespace kcpp::apiserver::admission::podsecurity::testing
