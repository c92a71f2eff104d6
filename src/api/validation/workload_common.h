#pragma once
// Rules the workload validators (apps, batch, core ReplicationController) share.

#include "api/validation/field_errors.h"

namespace kcpp::api::validation {

// ValidateNonnegativeField of an optional integer field.
void nonNegativeField(const json::object& o, std::string_view key, const Path& p, Causes& out);

// metav1.LabelSelectorAsSelector(selector).Matches(template labels): a null
// selector matches nothing, an empty one everything.
bool selectorMatchesLabels(const json::value* selector, const json::value* labels);
// True for a non-null selector with neither matchLabels nor matchExpressions.
bool selectorIsEmpty(const json::value* selector);

// `selector` does not match template `labels`, at <templatePath>.metadata.labels.
Cause selectorMismatch(const Path& templatePath, const json::object& tmpl);

// ValidateLabelSelector (strict values) at `p`.
Causes validateSelector(const json::value* selector, const Path& p);

// ValidateImmutableField for a label selector: `field is immutable` with the
// new selector printed as Go's %#v of a v1.LabelSelector.
void immutableSelector(const json::value* now, const json::value* before, const Path& p, Causes& out);

// The template's labels (metadata.labels), or nullptr.
const json::value* templateLabels(const json::object& tmpl);

}  // namespace kcpp::api::validation
