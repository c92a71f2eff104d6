#pragma once
// batch/v1 validation (pkg/apis/batch/validation): Jobs and CronJobs.

#include "api/validation/field_errors.h"

namespace kcpp::api::validation {

// `old` is nullptr on create.
Causes validateJob(const json::object& obj, const json::object* old);
Causes validateCronJob(const json::object& obj, const json::object* old);

}  // namespace kcpp::api::validation
