#pragma once
// Resource names and quantities (core/helper and validateResourceName & co).

#include <string_view>

#include "api/validation/field_errors.h"
#include "api/validation/quantity.h"

namespace kcpp::api::validation {

bool isNativeResource(std::string_view name);
bool isHugePageResourceName(std::string_view name);
bool isExtendedResourceName(std::string_view name);
bool isOvercommitAllowed(std::string_view name);
bool isIntegerResourceName(std::string_view name);

// validateResourceName: a qualified name; an unprefixed one must be standard.
Causes validateResourceName(std::string_view name, const Path& p);
// validateContainerResourceName: cpu, memory, ephemeral-storage, hugepages-* or
// an extended resource.
Causes validateContainerResourceName(std::string_view name, const Path& p);
// ValidateResourceQuotaResourceName.
Causes validateResourceQuotaResourceName(std::string_view name, const Path& p);
// ValidateResourceQuantityValue: not negative; whole for integer resources.
Causes validateResourceQuantityValue(std::string_view name, const Quantity& q, const Path& p);

}  // namespace kcpp::api::validation
