#pragma once
// Request and response encodings: JSON and YAML bodies, media types, and the
// Accept forms kubectl sends (Table, PartialObjectMetadata).

#include <boost/json.hpp>

#include <string>
#include <string_view>

#include "util/error.h"

namespace kcpp::apiserver {

// Decodes a request body by its Content-Type (JSON, or YAML where upstream
// accepts it). 415 for media types the API does not read.
Result<boost::json::value> decodeBody(std::string_view contentType, std::string_view body);

// YAML (one document) to JSON with YAML 1.1 scalar typing as Kubernetes' yaml
// library does (quoted scalars stay strings).
Result<boost::json::value> yamlToJson(std::string_view yaml);
std::string jsonToYaml(const boost::json::value& value);

// The media type without parameters, lower-cased: "application/json".
std::string mediaType(std::string_view contentType);

// What the client asked the response to be.
enum class ResponseForm { Object, Table, PartialMetadata, Yaml };
struct Negotiated {
  ResponseForm form = ResponseForm::Object;
  bool acceptable = true;  // false: 406, nothing we can produce was accepted
};
Negotiated negotiate(std::string_view accept);

}  // namespace kcpp::apiserver
