#pragma once
// Schema-driven field checks of a decoded object, as upstream's decoder finds
// them when it reads JSON into the Go type: unknown fields (the strict decoding
// errors of fieldValidation=Strict|Warn) and values of the wrong JSON type
// (always an error). The walk stops at free-form values (RawExtension, FieldsV1,
// x-kubernetes-preserve-unknown-fields) as upstream's does. Duplicate fields are
// found in the raw text (api/patch/strict_fields.h).

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/schema/schema_set.h"

namespace kcpp::api {

struct FieldCheck {
  // `unknown field "spec.contaners"`, `unknown field "spec.containers[0].imagee"`:
  // in document order, at most 100.
  std::vector<std::string> unknownFields;
  // The first wrong type, in the Go decoder's words: `json: cannot unmarshal
  // string into Go struct field DeploymentSpec.spec.replicas of type int32`.
  std::optional<std::string> typeError;
};

struct FieldCheckOptions {
  // Remove unknown fields, as upstream's decoding into the Go type drops them.
  bool prune = false;
  // The object is a JSON merge patch or strategic merge patch: keys set to null
  // (deletions) and "$"-directives ($patch, $setElementOrder/..., $retainKeys) are
  // not fields of the result, so they are never unknown.
  bool mergePatch = false;
};

// Walks `object` against the definition `rootName` (a full name, e.g. from
// SchemaSet::rootName); nothing is found when there is no such definition.
FieldCheck checkFields(const SchemaSet& schemas, std::string_view rootName,
                       boost::json::object& object, FieldCheckOptions options = {});

// Upstream's message of a strict decoding error: `strict decoding error: <e1>, <e2>`.
std::string strictDecodingMessage(const std::vector<std::string>& errors);

}  // namespace kcpp::api
