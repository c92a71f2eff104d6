#pragma once
// OpenApiDocuments: the OpenAPI v3 documents kubectl downloads to validate and to
// `explain` — the index at /openapi/v3 and one document per group version
// (/openapi/v3/api/v1, /openapi/v3/apis/apps/v1) plus the discovery documents
// (/openapi/v3/api, /openapi/v3/apis, /openapi/v3/apis/<group>) — built once from
// the schema data and the served resources, and served with upstream's caching:
// ETag = the document's hash, `?hash=` answers immutable, a stale hash redirected.
//
// /openapi/v2 answers the Swagger 2.0 definitions (JSON, or protobuf for the
// Accept kubectl ≤ 1.28 sends), without paths.
//
//   OpenApiDocuments docs(schemas, api::builtinResources());
//   if (auto r = docs.serve(path, query["hash"], accept)) ...   // nullopt: not an /openapi/v3 path

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/schema/resource_type.h"
#include "api/schema/schema_set.h"

namespace kcpp::apiserver {

struct OpenApiResponse {
  int status = 200;
  std::string contentType = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

class OpenApiDocuments {
 public:
  struct Document {
    std::string json;
    std::string hash;  // upstream's: SHA-512 of the JSON, upper-case hex
  };

  OpenApiDocuments(const api::SchemaSet& schemas, const std::vector<api::ResourceType>& resources,
                   const std::string& gitVersion = "v1.33.0+kcpp");

  // The answer to a GET of `path` (without the query) when it is /openapi/v2,
  // /openapi/v3 or a document below it; nullopt for any other path. `hash` is the
  // ?hash= parameter.
  std::optional<OpenApiResponse> serve(std::string_view path, std::string_view hash,
                                       std::string_view accept) const;

  // A document by its index key ("api/v1", "apis/apps/v1", "api", "apis", "apis/apps").
  const Document* document(std::string_view key) const;
  // The index: {"paths": {key: {"serverRelativeURL": "/openapi/v3/<key>?hash=<hash>"}}}.
  const std::string& index() const { return index_; }

 private:
  void addDiscoveryDocuments(const api::SchemaSet& schemas, const std::vector<std::string>& groups,
                             const std::string& gitVersion);
  void add(std::string key, const boost::json::object& paths, boost::json::object schemas,
           const std::string& gitVersion);
  OpenApiResponse serveDocument(const std::string& key, const Document& doc,
                                std::string_view hash) const;
  OpenApiResponse serveV2(std::string_view accept) const;

  std::map<std::string, Document, std::less<>> documents_;
  std::string index_;
  std::string indexHash_;
  Document v2_;              // JSON
  std::string v2Protobuf_;   // the same, as gnostic's openapi_v2.Document
};
using OpenApiDocumentsPtr = std::unique_ptr<OpenApiDocuments>;

// Upper-case hex SHA-512 of `data`, as upstream's OpenAPI handler hashes documents.
std::string openApiHash(std::string_view data);

}  // namespace kcpp::apiserver
