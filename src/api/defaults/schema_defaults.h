#pragma once
// The schema-driven half of defaulting: walks an object along its OpenAPI v3
// schema (references, arrays, maps) and sets every unset field whose schema
// carries a `default`, then walks into it. Nested structs are defaulted only where
// they exist, as upstream's generated defaulters do: every container gets a
// terminationMessagePath, a probe's thresholds are set only when the probe is
// given. Free-form values (RawExtension, preserve-unknown-fields) are not entered.
//
// "Unset" is absent or null; for string fields also "" (Go's zero value, which
// upstream's defaulting of non-pointer strings treats as unset).
//
//   applySchemaDefaults(schemas, "io.k8s.api.apps.v1.Deployment", deployment);

#include <boost/json.hpp>

#include <string_view>
#include <vector>

#include "api/schema/schema_set.h"

namespace kcpp::api::defaults {

struct SchemaDefaultsOptions {
  // Properties (as written in their parent's `properties`, e.g. the result of
  // fieldSchema(...)->property) whose default the walk leaves to code.
  std::vector<const boost::json::object*> skip;
};

// `definition` is a full or short definition name; unknown names do nothing.
void applySchemaDefaults(const SchemaSet& schemas, std::string_view definition,
                         boost::json::object& obj, const SchemaDefaultsOptions& options = {});

// The same below a schema object (a definition or a property).
void applySchemaDefaults(const SchemaSet& schemas, const boost::json::object& schema,
                         boost::json::value& value, const SchemaDefaultsOptions& options = {});

}  // namespace kcpp::api::defaults
