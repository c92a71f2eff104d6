#include "apiserver/openapi/openapi_documents.h"

#include <openssl/evp.h>

#include <chrono>
#include <ctime>

#include "apiserver/openapi/openapi_paths.h"
#include "apiserver/openapi/openapi_v2.h"

namespace kcpp::apiserver {

namespace json = boost::json;

namespace {

constexpr std::string_view kPrefix = "/openapi/v3";
constexpr std::string_view kV2Path = "/openapi/v2";
// What upstream answers to the Accept application/com.github.proto-openapi.spec.v2@v1.0+protobuf.
constexpr std::string_view kV2Protobuf = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
constexpr std::string_view kMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.";

// The kinds every group version's operations refer to besides its own.
std::vector<std::string> commonRoots(bool withScale) {
  std::vector<std::string> roots;
  for (const char* name : {"Status", "DeleteOptions", "Patch", "APIResourceList", "WatchEvent"}) {
    roots.push_back(std::string(kMeta) + name);
  }
  if (withScale) roots.emplace_back("io.k8s.api.autoscaling.v1.Scale");
  return roots;
}

json::object discoverySchemas(const api::SchemaSet& schemas, const char* kind) {
  json::object out;
  for (const auto& name : schemas.closure({std::string(kMeta) + kind})) {
    out[name] = schemas.definitions().at(name);
  }
  return out;
}

// Go's time.RFC1123 of now + one year, as upstream's Expires header.
std::string expiresInAYear() {
  auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() +
                                                std::chrono::hours(24 * 365));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S UTC", &tm);
  return buf;
}

bool acceptsJson(std::string_view accept) {
  if (accept.empty()) return true;
  for (std::string_view ok : {"application/json", "*/*", "application/*"}) {
    if (accept.find(ok) != std::string_view::npos) return true;
  }
  return false;
}

OpenApiResponse notFound() {
  OpenApiResponse r;
  r.status = 404;
  r.contentType = "text/plain; charset=utf-8";
  r.body = "404 page not found\n";
  return r;
}

}  // namespace

std::string openApiHash(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha512(), nullptr);
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

OpenApiDocuments::OpenApiDocuments(const api::SchemaSet& schemas,
                                   const std::vector<api::ResourceType>& resources,
                                   const std::string& gitVersion) {
  std::map<std::pair<std::string, std::string>, std::vector<const api::ResourceType*>> byGv;
  for (const auto& t : resources) byGv[{t.group, t.version}].push_back(&t);
  std::vector<std::string> groups;
  for (const auto& [gv, types] : byGv) {
    const auto& [group, version] = gv;
    bool scale = false;
    for (const auto* t : types) scale |= t->hasScale;
    std::string key = group.empty() ? "api/" + version : "apis/" + group + "/" + version;
    add(key, openapi::groupVersionPaths(schemas, group, version, types),
        schemas.schemasForGroupVersion(group, version, commonRoots(scale)), gitVersion);
    if (!group.empty() && (groups.empty() || groups.back() != group)) groups.push_back(group);
  }
  addDiscoveryDocuments(schemas, groups, gitVersion);
  json::object index;
  for (const auto& [key, doc] : documents_) {
    index[key] = json::object{{"serverRelativeURL", std::string(kPrefix) + "/" + key + "?hash=" + doc.hash}};
  }
  index_ = json::serialize(json::object{{"paths", std::move(index)}});
  indexHash_ = openApiHash(index_);
  json::object swagger = openapi::swaggerDocument(schemas, gitVersion);
  v2_.json = json::serialize(swagger);
  v2_.hash = openApiHash(v2_.json);
  v2Protobuf_ = openapi::swaggerProtobuf(swagger);
}

void OpenApiDocuments::addDiscoveryDocuments(const api::SchemaSet& schemas,
                                             const std::vector<std::string>& groups,
                                             const std::string& gitVersion) {
  json::object api{{"/api/", openapi::discoveryPath(schemas, "getCoreAPIVersions", "core",
                                                    "get available API versions",
                                                    std::string(kMeta) + "APIVersions")}};
  add("api", api, discoverySchemas(schemas, "APIVersions"), gitVersion);
  json::object apis{{"/apis/", openapi::discoveryPath(schemas, "getAPIVersions", "apis",
                                                      "get available API versions",
                                                      std::string(kMeta) + "APIGroupList")}};
  add("apis", apis, discoverySchemas(schemas, "APIGroupList"), gitVersion);
  for (const auto& group : groups) {
    std::string op = openapi::operationGroup(group);
    std::string tag = openapi::operationTag(group, "");
    tag.pop_back();  // "apps_" → "apps"
    json::object paths{{"/apis/" + group + "/",
                        openapi::discoveryPath(schemas, "get" + op + "APIGroup", tag,
                                               "get information of a group",
                                               std::string(kMeta) + "APIGroup")}};
    add("apis/" + group, paths, discoverySchemas(schemas, "APIGroup"), gitVersion);
  }
}

void OpenApiDocuments::add(std::string key, const json::object& paths, json::object schemas,
                           const std::string& gitVersion) {
  json::object doc;
  doc["openapi"] = "3.0.0";
  doc["info"] = json::object{{"title", "Kubernetes"}, {"version", gitVersion}};
  doc["paths"] = paths;
  doc["components"] = json::object{{"schemas", std::move(schemas)}};
  Document d;
  d.json = json::serialize(doc);
  d.hash = openApiHash(d.json);
  documents_[std::move(key)] = std::move(d);
}

const OpenApiDocuments::Document* OpenApiDocuments::document(std::string_view key) const {
  auto it = documents_.find(key);
  return it == documents_.end() ? nullptr : &it->second;
}

std::optional<OpenApiResponse> OpenApiDocuments::serve(std::string_view path, std::string_view hash,
                                                       std::string_view accept) const {
  if (path == kV2Path) return serveV2(accept);
  if (!path.starts_with(kPrefix)) return std::nullopt;
  std::string_view rest = path.substr(kPrefix.size());
  if (!rest.empty() && rest[0] != '/') return std::nullopt;
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty()) {
    OpenApiResponse r;
    r.body = index_;
    r.headers.emplace_back("Etag", "\"" + indexHash_ + "\"");
    return r;
  }
  const Document* doc = document(rest.substr(1));
  if (!doc) return notFound();
  if (!acceptsJson(accept)) {
    OpenApiResponse r;
    r.status = 406;
    r.contentType = "text/plain; charset=utf-8";
    return r;
  }
  return serveDocument(std::string(rest.substr(1)), *doc, hash);
}

OpenApiResponse OpenApiDocuments::serveV2(std::string_view accept) const {
  OpenApiResponse r;
  r.headers.emplace_back("Etag", "\"" + v2_.hash + "\"");
  if (accept.find("protobuf") != std::string_view::npos) {
    r.contentType = kV2Protobuf;
    r.body = v2Protobuf_;
  } else {
    r.body = v2_.json;
  }
  return r;
}

OpenApiResponse OpenApiDocuments::serveDocument(const std::string& key, const Document& doc,
                                                std::string_view hash) const {
  OpenApiResponse r;
  r.headers.emplace_back("Etag", "\"" + doc.hash + "\"");
  if (!hash.empty() && hash != doc.hash) {
    r.status = 301;
    r.contentType = "text/html; charset=utf-8";
    r.headers.emplace_back("Location", std::string(kPrefix) + "/" + key + "?hash=" + doc.hash);
    return r;
  }
  if (!hash.empty()) {
    r.headers.emplace_back("Vary", "Accept");
    r.headers.emplace_back("Cache-Control", "public, immutable");
    r.headers.emplace_back("Expires", expiresInAYear());
  }
  r.body = doc.json;
  return r;
}

}  // namespace kcpp::apiserver
