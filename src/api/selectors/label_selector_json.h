#pragma once
// metav1.LabelSelector, the JSON form used in object specs:
//   {"matchLabels": {"app": "web"},
//    "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}]}

#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "api/selectors/label_selector.h"
#include "util/error.h"

namespace kcpp::selectors {

// metav1.LabelSelectorAsSelector: a null selector selects nothing, an empty one
// everything. Invalid keys, values or operators give a BadRequest error with
// upstream's message (e.g. `"Foo" is not a valid label selector operator`).
Result<LabelSelector> labelSelectorFromJson(const boost::json::value& selector);

struct LabelSelectorValidationOptions {
  // Tolerate invalid values in matchExpressions (for objects persisted before
  // the check existed).
  bool allowInvalidLabelValueInSelector = false;
  // Let an unknown operator pass (as for SubjectAccessReview selectors).
  bool allowUnknownOperatorInRequirement = false;
};

// metav1validation.ValidateLabelSelector: the field errors of a selector found at
// fieldPath (e.g. "spec.selector"), as Status causes (type, "Invalid value: ..."
// message, field). Empty when valid. Callers wrap them into a 422 Invalid.
std::vector<Cause> validateLabelSelector(const boost::json::value& selector, std::string_view fieldPath,
                                         const LabelSelectorValidationOptions& options = {});

}  // namespace kcpp::selectors
