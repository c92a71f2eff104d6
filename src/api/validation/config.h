#pragma once
// ConfigMap and Secret validation (core/validation ValidateConfigMap*, ValidateSecret*).

#include "api/validation/field_errors.h"

namespace kcpp::api::validation {

// IsConfigMapKey: the messages for a ConfigMap/Secret key; empty when valid.
std::vector<std::string> configMapKeyErrors(std::string_view key);

Causes validateConfigMap(const json::object& obj, const json::object* old);
Causes validateSecret(const json::object& obj, const json::object* old);

}  // namespace kcpp::api::validation
