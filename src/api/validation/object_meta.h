#pragma once
// ObjectMeta validation (apimachinery's pkg/api/validation/objectmeta.go plus
// core's finalizer-name rule), and the label/annotation map checks other
// validators reuse for pod templates.

#include "api/validation/field_errors.h"
#include "api/validation/names.h"

namespace kcpp::api::validation {

// metav1validation.ValidateLabels: every key a qualified name, every value a
// label value; errors are reported at `p` itself (not per key), as upstream.
Causes validateLabels(const json::value* labels, const Path& p);
// ValidateAnnotations: keys are qualified names (case-insensitively), and keys
// plus values total at most 256 KiB.
Causes validateAnnotations(const json::value* annotations, const Path& p);

// ValidateObjectMeta minus the name, namespace and resourceVersion rules the
// registry already enforces: generateName, generation, labels, annotations,
// ownerReferences, finalizers.
Causes validateObjectMeta(const json::object& obj, NameRule nameRule);
// ValidateObjectMetaUpdate: the immutable identity fields plus the create rules
// that still apply to the new metadata.
Causes validateObjectMetaUpdate(const json::object& obj, const json::object& old);

}  // namespace kcpp::api::validation
