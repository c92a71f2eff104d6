#pragma once
// apps/v1 validation (pkg/apis/apps/validation plus the selector immutability of
// the apps/v1 registry strategies) and core/v1 ReplicationController.

#include "api/validation/field_errors.h"

namespace kcpp::api::validation {

// `old` is nullptr on create.
Causes validateDeployment(const json::object& obj, const json::object* old);
Causes validateReplicaSet(const json::object& obj, const json::object* old);
Causes validateStatefulSet(const json::object& obj, const json::object* old);
Causes validateDaemonSet(const json::object& obj, const json::object* old);
Causes validateControllerRevision(const json::object& obj, const json::object* old);
Causes validateReplicationController(const json::object& obj, const json::object* old);

}  // namespace kcpp::api::validation
