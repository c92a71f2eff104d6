#pragma once
// The other core/v1 kinds: Namespace, ResourceQuota, LimitRange,
// PersistentVolume, PersistentVolumeClaim, Node.

#include "api/validation/field_errors.h"

namespace kcpp::api::validation {

// `old` is nullptr on create.
Causes validateNamespace(const json::object& obj, const json::object* old);
Causes validateResourceQuota(const json::object& obj, const json::object* old);
Causes validateLimitRange(const json::object& obj, const json::object* old);
Causes validatePersistentVolume(const json::object& obj, const json::object* old);
Causes validatePersistentVolumeClaim(const json::object& obj, const json::object* old);
Causes validateNode(const json::object& obj, const json::object* old);

}  // namespace kcpp::api::validation
