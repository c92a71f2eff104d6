#pragma once
// The remaining built-in kinds: rbac.authorization.k8s.io, policy
// (PodDisruptionBudget), scheduling.k8s.io (PriorityClass), coordination.k8s.io
// (Lease), discovery.k8s.io (EndpointSlice) and storage.k8s.io (StorageClass).

#include "api/validation/field_errors.h"

namespace kcpp::api::validation {

// `old` is nullptr on create.
Causes validateRole(const json::object& obj, const json::object* old);
Causes validateClusterRole(const json::object& obj, const json::object* old);
Causes validateRoleBinding(const json::object& obj, const json::object* old);
Causes validateClusterRoleBinding(const json::object& obj, const json::object* old);
Causes validatePodDisruptionBudget(const json::object& obj, const json::object* old);
Causes validatePriorityClass(const json::object& obj, const json::object* old);
Causes validateLease(const json::object& obj, const json::object* old);
Causes validateEndpointSlice(const json::object& obj, const json::object* old);
Causes validateStorageClass(const json::object& obj, const json::object* old);

}  // namespace kcpp::api::validation
