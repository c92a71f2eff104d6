// Schema-driven parts of the REST verbs: field validation of write bodies
// (fieldValidation=Strict|Warn|Ignore, absent meaning Warn, as upstream) and the
// OpenAPI v3 documents.
#include <boost/json.hpp>

#include "api/meta/status.h"
#include "api/patch/strict_fields.h"
#include "api/schema/field_validation.h"
#include "apiserver/handlers/api_handler.h"

namespace kcpp::apiserver {

namespace json = boost::json;

namespace {

enum class Directive { Ignore, Warn, Strict };

// The request's fieldValidation; upstream validates it with the write's options
// (CreateOptions, UpdateOptions, PatchOptions) and answers 422 when unsupported.
Result<Directive> directiveOf(const QueryParams& query, const char* optionsKind) {
  std::string value = queryParam(query, "fieldValidation");
  if (value.empty() || value == "Warn") return Directive::Warn;
  if (value == "Strict") return Directive::Strict;
  if (value == "Ignore") return Directive::Ignore;
  Cause cause{"FieldValueNotSupported",
              "Unsupported value: \"" + value + "\": supported values: \"Ignore\", \"Warn\", \"Strict\"",
              "fieldValidation"};
  Error e = api::invalid(std::string(optionsKind) + ".meta.k8s.io", "meta.k8s.io", "", {cause});
  e.kind = optionsKind;
  return e;
}

bool isProtobuf(const std::string& contentType) {
  return contentType.find("protobuf") != std::string::npos;
}

bool isYaml(const std::string& contentType) {
  return contentType.find("yaml") != std::string::npos;
}

// The kind a write's body must be: the resource's, or autoscaling/v1 Scale.
struct BodyKind {
  std::string kind;
  std::string version;
};

BodyKind bodyKindOf(const api::ResourceType& type, Subresource sub) {
  if (sub == Subresource::Scale) return {"Scale", "v1"};
  return {type.kind, type.version};
}

std::string rootOf(const api::SchemaSet& schemas, const api::ResourceType& type, Subresource sub) {
  if (sub == Subresource::Scale) return schemas.rootName("autoscaling", "v1", "Scale");
  return schemas.rootName(type.group, type.version, type.kind);
}

// Duplicate fields of a JSON body, as strict decoding reports them.
std::vector<std::string> duplicateFields(const std::string& body) {
  std::vector<std::string> out;
  for (auto& e : patch::strictFieldErrors(body)) {
    if (e.starts_with("duplicate field")) out.push_back(std::move(e));
  }
  return out;
}

// Go's strconv.Quote of a warning, for the Warning header.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

void addWarnings(ApiResponse& response, const std::vector<std::string>& warnings) {
  if (warnings.empty()) return;
  std::string value;
  for (const auto& w : warnings) {
    if (!value.empty()) value += ", ";
    value += "299 - " + quoted(w);
  }
  response.headers.emplace_back("Warning", std::move(value));
}

std::optional<ApiResponse> ApiHandler::openApi(const ApiRequest& request) const {
  if (!openApi_) return std::nullopt;
  auto served = openApi_->serve(request.path, queryParam(request.query, "hash"), request.accept);
  if (!served) return std::nullopt;
  ApiResponse r;
  r.status = served->status;
  r.contentType = std::move(served->contentType);
  r.body = std::move(served->body);
  r.headers = std::move(served->headers);
  return r;
}

Result<std::vector<std::string>> ApiHandler::checkBodyFields(const ApiRequest& request,
                                                             const api::ResourceType& type,
                                                             Subresource sub,
                                                             const char* optionsKind,
                                                             json::object& body) const {
  auto directive = directiveOf(request.query, optionsKind);
  if (!directive) return std::move(directive).error();
  if (!schemas_ || isProtobuf(request.contentType)) return std::vector<std::string>{};
  std::string root = rootOf(*schemas_, type, sub);
  if (root.empty()) return std::vector<std::string>{};
  api::FieldCheck found = api::checkFields(*schemas_, root, body, api::FieldCheckOptions{true, false});
  BodyKind k = bodyKindOf(type, sub);
  std::string prefix = k.kind + " in version \"" + k.version + "\" cannot be handled as a " + k.kind + ": ";
  if (found.typeError) return api::badRequest(prefix + *found.typeError);
  std::vector<std::string> strict = std::move(found.unknownFields);
  if (!isYaml(request.contentType)) {
    for (auto& d : duplicateFields(request.body)) strict.push_back(std::move(d));
  }
  if (strict.empty() || *directive == Directive::Ignore) return std::vector<std::string>{};
  if (*directive == Directive::Strict) return api::badRequest(prefix + api::strictDecodingMessage(strict));
  return strict;
}

Result<std::vector<std::string>> ApiHandler::checkPatchFields(ApiRequest& request,
                                                              const api::ResourceType& type,
                                                              Subresource sub,
                                                              PatchType patchType) const {
  auto directive = directiveOf(request.query, "PatchOptions");
  if (!directive) return std::move(directive).error();
  bool mergePatch = patchType == PatchType::Merge || patchType == PatchType::StrategicMerge;
  if (!schemas_ || !mergePatch) return std::vector<std::string>{};
  std::string root = rootOf(*schemas_, type, sub);
  boost::system::error_code ec;
  json::value patch = json::parse(request.body, ec);
  if (root.empty() || ec || !patch.is_object()) return std::vector<std::string>{};  // the registry answers
  api::FieldCheck found =
      api::checkFields(*schemas_, root, patch.get_object(), api::FieldCheckOptions{true, true});
  std::vector<std::string> strict = found.unknownFields;
  for (auto& d : duplicateFields(request.body)) strict.push_back(std::move(d));
  if (*directive == Directive::Strict && !strict.empty()) {
    return api::badRequest(api::strictDecodingMessage(strict));
  }
  if (!found.unknownFields.empty()) request.body = json::serialize(patch);  // unknown fields dropped
  if (*directive == Directive::Ignore) return std::vector<std::string>{};
  return strict;
}

}  // namespace kcpp::apiserver
