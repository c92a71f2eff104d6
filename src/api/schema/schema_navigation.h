#pragma once
// Small typed helpers over the OpenAPI v3 schemas of a SchemaSet: follow
// references, find a field's schema, read strategic-merge-patch and list metadata.
//
//   const json::object* pod = schemas.rootFor("", "v1", "Pod");
//   auto spec = fieldSchema(schemas, *pod, "spec");             // spec->schema: PodSpec
//   auto meta = patchMetadata(schemas, *pod, "spec.containers"); // merge on "name"

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/schema/schema_set.h"

namespace kcpp::api {

// Follows a `$ref`, or an `allOf` holding one, to its definition; the schema
// itself when it is neither (or the reference dangles, which load() excludes).
const boost::json::object& resolveSchema(const SchemaSet& schemas, const boost::json::object& schema);

// The definition name a schema refers to ("io.k8s.api.core.v1.PodSpec"), or empty.
std::string referencedName(const boost::json::object& schema);

struct FieldSchema {
  const boost::json::object* property = nullptr;  // as written: description, patch and list metadata
  const boost::json::object* schema = nullptr;    // resolved: what the value must be
};

// A field of an object schema (resolved first); nullopt if it has no such field.
std::optional<FieldSchema> fieldSchema(const SchemaSet& schemas, const boost::json::object& object,
                                       std::string_view field);

// The resolved schema of the elements of an array (items) or of the values of a
// map (additionalProperties); null for anything else.
const boost::json::object* elementSchema(const SchemaSet& schemas, const boost::json::object& schema);

// Strategic merge patch and server-side apply metadata of one field.
struct PatchMetadata {
  std::string strategy;  // x-kubernetes-patch-strategy: "merge", "retainKeys", "merge,retainKeys", "replace"
  std::string mergeKey;  // x-kubernetes-patch-merge-key
  std::string listType;  // x-kubernetes-list-type: "atomic", "set", "map"
  std::vector<std::string> listMapKeys;  // x-kubernetes-list-map-keys
  std::string mapType;   // x-kubernetes-map-type: "atomic", "granular"
};
PatchMetadata patchMetadataOf(const boost::json::object& property);

// The metadata of the field at a dotted path below a root schema. Lists are
// stepped through ("spec.containers.ports" is the ports of every container); a
// map's next segment is one of its keys. nullopt when the path leaves the schema.
std::optional<PatchMetadata> patchMetadata(const SchemaSet& schemas, const boost::json::object& root,
                                           std::string_view path);

// True when a value of this (resolved) schema is not walked field by field: an
// object that preserves unknown fields or declares no fields at all (RawExtension,
// FieldsV1, free-form JSON).
bool isFreeForm(const boost::json::object& schema);

}  // namespace kcpp::api
