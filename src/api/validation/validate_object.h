#pragma once
// The validation room's entry point: upstream's Validate / ValidateUpdate of a
// resource's registry strategy, for the built-in kinds.
//
//   auto causes = validateObject(type, obj, old);  // old == nullptr on create
//   if (!causes.empty()) return api::invalid(type.kind, type.group, name, causes);

#include <boost/json.hpp>

#include <vector>

#include "api/schema/resource_type.h"
#include "util/error.h"

namespace kcpp::api {

// Every problem as a field cause with upstream's path and message; empty when
// valid. Metadata rules apply to every kind; spec rules to the kinds known here.
std::vector<Cause> validateObject(const ResourceType& type, const boost::json::object& obj,
                                  const boost::json::object* old);

}  // namespace kcpp::api
