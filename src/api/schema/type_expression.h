#pragma once
// The type words of the schema data (docs/schema-format.md, "Types") and their
// OpenAPI v3 expansion. Internal to the loader.

#include <boost/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace kcpp::api {

// What one type word expands to: the schema, and the full names of the
// definitions it references (to be checked once every file is loaded).
struct ExpandedType {
  boost::json::object schema;
  std::vector<std::string> references;
  // The JSON type of its values when it is a scalar ("string", "integer",
  // "number", "boolean"); empty for references, arrays and maps.
  std::string scalarType;
};

// Expands `[]core.v1.Container`, `map[string]quantity`, `int32`, ... A reference
// is `{"$ref": ...}`; the caller wraps it in allOf when a description goes beside it.
Result<ExpandedType> expandType(std::string_view word);

// The schema of a definition-level `type` (`string`, `object`, `int-or-string`, ...)
// with an optional `format`.
Result<boost::json::object> expandDefinitionType(std::string_view word, std::string_view format);

}  // namespace kcpp::api
