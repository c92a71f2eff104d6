#pragma once
// SchemaSet: the built-in types' definitions (src/api/schema/data/*.yaml, see
// docs/schema-format.md), expanded into OpenAPI v3 schema objects — the
// `components.schemas` of the published OpenAPI documents — and looked up by
// name or by group/version/kind. Everything schema-driven (OpenAPI publishing,
// strict field validation, defaulting, strategic merge patch) reads these.
//
//   auto schemas = api::SchemaSet::loadBuiltin();          // once, at startup
//   const json::object* pod = schemas->rootFor("", "v1", "Pod");

#include <boost/json.hpp>

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "api/schema/embedded_schema_data.h"
#include "util/error.h"

namespace kcpp::api {

class SchemaSet {
 public:
  // Loads and expands the files together (references may cross files). Any
  // problem in the data — a YAML error, an unknown key, a reference to a type no
  // file defines, a definition given twice — is an InternalError naming the file,
  // definition and field.
  static Result<SchemaSet> load(std::span<const SchemaFile> files);
  // The files embedded at build time.
  static Result<SchemaSet> loadBuiltin();

  // Every definition, by full name ("io.k8s.api.core.v1.Pod").
  const boost::json::object& definitions() const { return definitions_; }
  // A definition by full or short name ("core.v1.Pod"); null if there is none.
  const boost::json::object* definition(std::string_view name) const;
  // The full name of the definition of a kind (its x-kubernetes-group-version-kind);
  // empty if there is none.
  std::string rootName(std::string_view group, std::string_view version,
                       std::string_view kind) const;
  const boost::json::object* rootFor(std::string_view group, std::string_view version,
                                     std::string_view kind) const;

  // The full names of the definitions reachable from `roots` (full names), roots
  // included, sorted.
  std::vector<std::string> closure(const std::vector<std::string>& roots) const;
  // The definitions reachable from the kinds of a group version (those whose
  // x-kubernetes-group-version-kind names it), plus `extraRoots`.
  boost::json::object schemasForGroupVersion(std::string_view group, std::string_view version,
                                             const std::vector<std::string>& extraRoots = {}) const;

 private:
  friend class SchemaSetBuilder;
  using Gvk = std::tuple<std::string, std::string, std::string>;

  boost::json::object definitions_;
  std::map<Gvk, std::string, std::less<>> byGvk_;
};

// The full definition name of a short one: "core.v1.Pod" →
// "io.k8s.api.core.v1.Pod", "meta.v1.Time" →
// "io.k8s.apimachinery.pkg.apis.meta.v1.Time"; "io.k8s.…" names are kept. Empty
// if `name` is neither.
std::string fullDefinitionName(std::string_view name);

// The reference prefix of components.schemas: "#/components/schemas/".
inline constexpr std::string_view kSchemaRefPrefix = "#/components/schemas/";

}  // namespace kcpp::api
