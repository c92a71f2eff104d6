#pragma once
// What one LimitRange asks of a pod or a PersistentVolumeClaim (upstream's
// plugin/pkg/admission/limitranger rules), as pure functions over JSON objects:
//   - Container items: their `default` limits and `defaultRequest` requests fill
//     what containers and init containers leave unset, noted in the pod's
//     `kubernetes.io/limit-ranger` annotation;
//   - Container and Pod items: min, max and maxLimitRequestRatio per resource;
//   - PersistentVolumeClaim items: min and max of the claim's requests.
// Violations come back as upstream's messages, in the LimitRange's order.

#include <boost/json.hpp>

#include <string>
#include <vector>

namespace kcpp::apiserver::admission::limits {

namespace json = boost::json;

inline constexpr const char* kLimitRangerAnnotation = "kubernetes.io/limit-ranger";

// PodMutateLimitFunc: the defaults of `limitRange`'s Container items.
void applyContainerDefaults(const json::object& limitRange, json::object& pod);

// PodValidateLimitFunc: every violation of `limitRange` by the pod.
std::vector<std::string> podViolations(const json::object& limitRange, const json::object& pod);

// PersistentVolumeClaimValidateLimitFunc: every violation by the claim.
std::vector<std::string> claimViolations(const json::object& limitRange, const json::object& claim);

// utilerrors.NewAggregate(errs).Error(): one message alone, several (without
// repeats) as "[a, b]".
std::string aggregate(const std::vector<std::string>& messages);

}  // namespace kcpp::apiserver::admission::limits
