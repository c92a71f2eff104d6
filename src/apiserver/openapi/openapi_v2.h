#pragma once
// /openapi/v2: the Swagger 2.0 form of the definitions, which kubectl up to 1.28
// downloads (as gnostic's openapi_v2.Document protobuf) before it validates or
// explains anything; newer kubectl reads only /openapi/v3. It carries every
// definition and no paths: those old clients learn from v3 that the server
// validates fields itself. Internal to the openapi room.

#include <boost/json.hpp>

#include <string>

#include "api/schema/schema_set.h"

namespace kcpp::apiserver::openapi {

// {"swagger":"2.0","info":{...},"paths":{},"definitions":{...}} with upstream's
// v2 forms: `$ref`s to #/definitions/ (a description beside them), IntOrString
// and Quantity as strings.
boost::json::object swaggerDocument(const api::SchemaSet& schemas, const std::string& gitVersion);

// The gnostic openapi_v2.Document protobuf encoding of such a document.
std::string swaggerProtobuf(const boost::json::object& swagger);

}  // namespace kcpp::apiserver::openapi
