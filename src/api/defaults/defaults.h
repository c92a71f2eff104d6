#pragma once
// Defaulting of the built-in resources, as upstream's: "from the schema plus the
// few rules that need code". For one object, first the per-kind code rules
// (upstream's SetDefaults_* functions for what a static default can't express:
// image pull policy, rolling-update structures, Job completions, ...; see
// pod_defaults.h, workload_defaults.h, resource_defaults.h), then every static
// `default:` of the kind's schema, applied along the object (schema_defaults.h).
//
// Idempotent; run on create and on main-resource update and patch, before the
// resource's strategy (apiserver/registry/registry.h, ObjectRules).
//
//   auto defaulter = defaults::defaulterFor(schemas, type);  // once per resource
//   if (defaulter) defaulter(obj);

#include <boost/json.hpp>

#include <functional>

#include "api/schema/resource_type.h"
#include "api/schema/schema_set.h"

namespace kcpp::api::defaults {

using Defaulter = std::function<void(boost::json::object&)>;

// The defaulting of one resource type; empty when the type has neither a schema
// nor a code rule. `schemas` must outlive it.
Defaulter defaulterFor(const SchemaSet& schemas, const ResourceType& type);

// The same, for one object.
void applyDefaults(const SchemaSet& schemas, const ResourceType& type, boost::json::object& obj);

}  // namespace kcpp::api::defaults
