#pragma once
// networking.k8s.io/v1 validation: Ingress, IngressClass, NetworkPolicy.

#include "api/validation/field_errors.h"

namespace kcpp::api::validation {

// `old` is nullptr on create.
Causes validateIngress(const json::object& obj, const json::object* old);
Causes validateIngressClass(const json::object& obj, const json::object* old);
Causes validateNetworkPolicy(const json::object& obj, const json::object* old);

}  // namespace kcpp::api::validation
