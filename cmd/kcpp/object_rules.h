#pragma once
// The schema-driven defaulting and validation of each resource type, wired into
// its Registry (see apiserver/registry/registry.h, ObjectRules).

#include "api/schema/resource_type.h"
#include "api/schema/schema_set.h"
#include "apiserver/registry/registry.h"

namespace kcpp::cmd {

// `schemas` must outlive the returned rules.
apiserver::ObjectRules objectRulesFor(const api::ResourceType& type, const api::SchemaSet& schemas);

}  // namespace kcpp::cmd
