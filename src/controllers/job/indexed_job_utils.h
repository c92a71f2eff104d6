#pragma once
// Completion indexes of Indexed Jobs (upstream pkg/controller/job
// indexed_job_utils.go): the index a pod carries, and status.completedIndexes
// as upstream writes it, a compressed list of ranges ("1,3-5,7").

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace kcpp::controllers {

inline constexpr const char* kJobCompletionIndexKey = "batch.kubernetes.io/job-completion-index";
// How many earlier pods of the same index failed (backoffLimitPerIndex).
inline constexpr const char* kJobIndexFailureCountKey = "batch.kubernetes.io/job-index-failure-count";

// "1,3-5" → {1,3,4,5}; indexes outside [0, completions) and malformed parts are
// dropped, as upstream's parseIndexesFromString.
std::set<std::int64_t> parseIndexes(std::string_view text, std::int64_t completions);
std::string formatIndexes(const std::set<std::int64_t>& indexes);

// The pod's completion index (annotation first, then label), if valid.
std::optional<std::int64_t> completionIndexOf(const boost::json::object& pod);

// Upstream's matchSuccessPolicy: "Matched rules at index <i>" for the first
// rule of spec.successPolicy that the completed indexes satisfy.
std::optional<std::string> matchSuccessPolicy(const boost::json::object& job, const std::set<std::int64_t>& completed,
                                              std::int64_t completions);

// The `count` smallest indexes in [0, completions) that are neither done nor held.
std::vector<std::int64_t> firstPendingIndexes(const std::set<std::int64_t>& done,
                                              const std::set<std::int64_t>& held, std::size_t count,
                                              std::int64_t completions);

}  // namespace kcpp::controllers
