#pragma once
// The schema data files (src/api/schema/data/*.yaml) as embedded at build time.

#include <span>
#include <string_view>

namespace kcpp::api {

struct SchemaFile {
  std::string_view name;  // "core_v1.yaml"
  std::string_view text;  // the YAML
};

// Every data file, sorted by name.
std::span<const SchemaFile> embeddedSchemaFiles();

}  // namespace kcpp::api
