#include "apiserver/handlers/api_handler.h"

#include "apiserver/handlers/pod_connect.h"
#include "apiserver/handlers/access_review.h"
#include "apiserver/handlers/impersonation.h"

#include <boost/json.hpp>

#include "api/meta/object.h"
#include "api/meta/status.h"
#include "apiserver/audit/auditor.h"
#include "apiserver/handlers/codec.h"
#include "apiserver/handlers/list_query.h"
#include "apiserver/handlers/table.h"

namespace kcpp::apiserver {

namespace json = boost::json;

namespace {

// Upstream's isPrettyPrint: ?pretty as a Go bool, else curl, Wget and browsers.
bool wantsPretty(const ApiRequest& request) {
  auto it = request.query.find("pretty");
  if (it != request.query.end() && !it->second.empty()) {
    const std::string& v = it->second;
    return v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True";
  }
  const std::string& ua = request.userAgent;
  return ua.starts_with("curl") || ua.starts_with("Wget") || ua.starts_with("Mozilla/5.0");
}

// Upstream's IsValidPathSegmentName, checked where a name from the URL becomes a
// storage key: 400 "Name parameter invalid".
std::optional<Error> invalidNameParameter(const std::string& name) {
  std::string problems;
  if (name == "." || name == "..") {
    problems = "may not be '" + name + "'";
  } else {
    for (const char* bad : {"/", "%"}) {
      if (name.find(bad) == std::string::npos) continue;
      if (!problems.empty()) problems += ";";
      problems += std::string("may not contain '") + bad + "'";
    }
  }
  if (problems.empty()) return std::nullopt;
  return api::badRequest("Name parameter invalid: \"" + name + "\": " + problems);
}

Error notFoundResource() {
  return makeError(Reason::NotFound, "the server could not find the requested resource");
}

void prettyPrint(std::string& out, const json::value& v, int indent) {
  auto pad = [&](int n) { out.append(static_cast<std::size_t>(n) * 2, ' '); };
  if (v.is_object() && !v.get_object().empty()) {
    out += "{\n";
    bool first = true;
    for (const auto& kv : v.get_object()) {
      if (!first) out += ",\n";
      first = false;
      pad(indent + 1);
      out += json::serialize(json::string(kv.key())) + ": ";
      prettyPrint(out, kv.value(), indent + 1);
    }
    out += "\n";
    pad(indent);
    out += "}";
  } else if (v.is_array() && !v.get_array().empty()) {
    out += "[\n";
    bool first = true;
    for (const auto& item : v.get_array()) {
      if (!first) out += ",\n";
      first = false;
      pad(indent + 1);
      prettyPrint(out, item, indent + 1);
    }
    out += "\n";
    pad(indent);
    out += "]";
  } else {
    out += json::serialize(v);
  }
}

// The answer in the form the client asked for (JSON, YAML, pretty JSON).
struct Encoder {
  ResponseForm form = ResponseForm::Object;
  bool pretty = false;

  ApiResponse encode(int status, const json::value& body) const {
    if (form == ResponseForm::Yaml) {
      ApiResponse r;
      r.status = status;
      r.contentType = "application/yaml";
      r.body = jsonToYaml(body);
      return r;
    }
    return jsonResponse(status, body, pretty);
  }
  // An already-encoded JSON object, served without re-encoding where possible.
  ApiResponse encodeRaw(int status, const std::string& jsonText) const {
    if (form == ResponseForm::Object && !pretty) {
      ApiResponse r;
      r.status = status;
      r.body = jsonText;
      return r;
    }
    auto v = api::parseJson(jsonText);
    return encode(status, v ? *v : json::value());
  }
};

Result<json::object> decodeObject(const ApiRequest& request) {
  auto body = decodeBody(request.contentType, request.body);
  if (!body) return std::move(body).error();
  if (!body->is_object()) {
    return api::badRequest("Object 'Kind' is missing in '" + request.body.substr(0, 200) + "'");
  }
  return std::move(body->get_object());
}

Result<WriteOptions> writeOptions(const QueryParams& query) {
  WriteOptions options;
  std::string dryRun = queryParam(query, "dryRun");
  if (!dryRun.empty() && dryRun != "All") {
    return api::badRequest("Invalid dryRun value: dryRun: Unsupported value: \"" + dryRun +
                           "\": supported values: \"All\"");
  }
  options.dryRun = dryRun == "All";
  return options;
}

Result<DeleteOptions> deleteOptions(const ApiRequest& request) {
  DeleteOptions options;
  if (!request.body.empty()) {
    auto body = decodeBody(request.contentType, request.body);
    if (!body) return std::move(body).error();
    if (body->is_object()) {
      const json::object& o = body->get_object();
      if (const json::value* g = api::findPath(o, "gracePeriodSeconds"); g && g->is_int64()) {
        options.gracePeriodSeconds = g->get_int64();
      }
      if (const json::value* uid = api::findPath(o, "preconditions.uid"); uid && uid->is_string()) {
        options.preconditionUid = std::string(uid->get_string());
      }
      if (const json::value* rv = api::findPath(o, "preconditions.resourceVersion");
          rv && rv->is_string()) {
        options.preconditionResourceVersion = std::string(rv->get_string());
      }
      options.propagationPolicy = std::string(api::getString(o, "propagationPolicy"));
      if (const json::value* orphan = api::findPath(o, "orphanDependents");
          orphan && orphan->is_bool() && options.propagationPolicy.empty()) {
        options.propagationPolicy = orphan->get_bool() ? "Orphan" : "Background";
      }
      if (const json::value* dry = api::findPath(o, "dryRun"); dry && dry->is_array()) {
        for (const auto& d : dry->get_array()) options.dryRun |= d == "All";
      }
    }
  }
  if (std::string g = queryParam(request.query, "gracePeriodSeconds"); !g.empty()) {
    options.gracePeriodSeconds = std::atoll(g.c_str());
  }
  if (std::string p = queryParam(request.query, "propagationPolicy"); !p.empty()) {
    options.propagationPolicy = p;
  }
  if (queryParam(request.query, "dryRun") == "All") options.dryRun = true;
  const std::string& policy = options.propagationPolicy;
  if (!policy.empty() && policy != "Orphan" && policy != "Background" && policy != "Foreground") {
    return api::badRequest("DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: "
                           "Unsupported value: \"" + policy +
                           "\": supported values: \"Foreground\", \"Background\", \"Orphan\", "
                           "\"nil\"");
  }
  return options;
}

Result<PatchType> patchType(const std::string& contentType) {
  if (auto type = patch::patchTypeFromContentType(contentType)) return *type;
  static constexpr PatchType kAccepted[] = {PatchType::Json, PatchType::Merge,
                                            PatchType::StrategicMerge, PatchType::ApplyYaml};
  return patch::unsupportedPatchType(kAccepted);
}

Result<Subresource> subresourceOf(const api::ResourceType& type, const std::string& sub) {
  if (sub.empty()) return Subresource::None;
  if (sub == "status" && type.hasStatus) return Subresource::Status;
  if (sub == "scale" && type.hasScale) return Subresource::Scale;
  if (sub == "finalize" && type.resource == "namespaces") return Subresource::Finalize;
  if (sub == "binding" && type.group.empty() && type.resource == "pods") return Subresource::Binding;
  if (sub == "approval" && type.resource == "certificatesigningrequests") return Subresource::Approval;
  return notFoundResource();
}

// LIST bodies are assembled from the cache's encoded objects without re-parsing.
std::string encodeList(const api::ResourceType& type, const storage::ListResult& list,
                       const std::string& continueToken) {
  json::object meta;
  meta["resourceVersion"] = std::to_string(list.revision);
  if (!continueToken.empty()) meta["continue"] = continueToken;
  if (list.remainingItemCount && !continueToken.empty()) {
    meta["remainingItemCount"] = *list.remainingItemCount;
  }
  std::size_t size = 128;
  for (const auto& item : list.items) size += item.json->size() + 1;
  std::string out;
  out.reserve(size);
  out += "{\"kind\":\"" + type.listKind() + "\",\"apiVersion\":\"" + type.apiVersion() +
         "\",\"metadata\":" + json::serialize(meta) + ",\"items\":[";
  for (std::size_t i = 0; i < list.items.size(); ++i) {
    if (i) out += ',';
    out += *list.items[i].json;
  }
  out += "]}";
  return out;
}

std::vector<json::object> parseItems(const std::vector<storage::CachedObject>& items) {
  std::vector<json::object> out;
  out.reserve(items.size());
  for (const auto& item : items) {
    auto v = api::parseJson(*item.json);
    if (v && v->is_object()) out.push_back(std::move(v->get_object()));
  }
  return out;
}

}  // namespace

bool isPublicPath(const std::string& path) {
  return path == "/healthz" || path == "/livez" || path == "/readyz" || path == "/version" ||
         path.starts_with("/healthz/") || path.starts_with("/livez/") ||
         path.starts_with("/readyz/");
}

ApiResponse jsonResponse(int status, const json::value& body, bool pretty) {
  ApiResponse r;
  r.status = status;
  if (pretty) {
    prettyPrint(r.body, body, 0);
    r.body += "\n";
  } else {
    r.body = json::serialize(body);
  }
  return r;
}

ApiResponse errorResponse(const Error& error) {
  ApiResponse r = jsonResponse(error.code(), api::statusObject(error));
  if (error.retryAfterSeconds) {
    r.headers.emplace_back("Retry-After", std::to_string(*error.retryAfterSeconds));
  }
  return r;
}

ApiHandler::ApiHandler(ApiHandlerOptions options, const Authorizer& authorizer)
    : options_(std::move(options)), authorizer_(authorizer) {}

void ApiHandler::addRegistry(Registry& registry) {
  const auto& t = registry.type();
  registries_.push_back(&registry);
  byPath_[t.group + "/" + t.version + "/" + t.resource] = &registry;
}

Registry* ApiHandler::find(const std::string& group, const std::string& version,
                           const std::string& resource) const {
  auto it = byPath_.find(group + "/" + version + "/" + resource);
  return it == byPath_.end() ? nullptr : it->second;
}

boost::asio::awaitable<void> ApiHandler::handle(ApiRequest request, ResponseSink& sink) {
  // Health and version are not special: anonymous requests (--anonymous-auth)
  // reach them through the bootstrap policy's system:public-info-viewer, as upstream.
  if (!request.user) {
    co_await sink.respond(errorResponse(makeError(Reason::Unauthorized, "Unauthorized")));
    co_return;
  }
  if (auto ok = impersonate(request, authorizer_); !ok) {
    co_await sink.respond(errorResponse(ok.error()));
    co_return;
  }
  if (request.audit && !request.impersonateUser.empty()) {
    request.audit->setImpersonatedUser(*request.user);
  }
  RequestInfo info = parseRequestInfo(request.method, request.path, request.query);
  Verdict verdict = authorizer_.decide(*request.user, info);
  bool allowed = verdict.decision == Decision::Allow;
  if (request.audit) {
    request.audit->annotate("authorization.k8s.io/decision", allowed ? "allow" : "forbid");
    request.audit->annotate("authorization.k8s.io/reason", verdict.reason);
  }
  if (!allowed) {
    Error e = makeError(Reason::Forbidden, forbiddenMessage(*request.user, info, verdict.reason));
    e.name = info.name;
    e.group = info.apiGroup;
    e.kind = info.resource;
    co_await sink.respond(errorResponse(e));
    co_return;
  }
  if (auto review = accessReview(request, info, authorizer_)) {
    co_await sink.respond(std::move(*review));
    co_return;
  }
  if (info.isResourceRequest) {
    co_await handleResource(request, info, sink);
    co_return;
  }
  if (auto r = handleNonResource(request)) {
    co_await sink.respond(std::move(*r));
    co_return;
  }
  if (request.method == "GET" || request.method == "HEAD") {
    if (auto r = openApi(request)) {
      co_await sink.respond(std::move(*r));
      co_return;
    }
    if (auto r = discovery(info)) {
      co_await sink.respond(std::move(*r));
      co_return;
    }
  }
  ApiResponse notFound;
  notFound.status = 404;
  notFound.contentType = "text/plain; charset=utf-8";
  notFound.body = "404 page not found\n";
  co_await sink.respond(std::move(notFound));
}

boost::asio::awaitable<void> ApiHandler::handleResource(ApiRequest& request,
                                                        const RequestInfo& info,
                                                        ResponseSink& sink) {
  Registry* registry = find(info.apiGroup, info.apiVersion, info.resource);
  Negotiated negotiated = negotiate(request.accept);
  Encoder enc{negotiated.form, wantsPretty(request)};
  auto fail = [&](const Error& e) { return sink.respond(errorResponse(e)); };
  if (!registry) co_return co_await fail(notFoundResource());
  const api::ResourceType& type = registry->type();
  // Namespaced objects are addressed inside a namespace; cluster-scoped ones not.
  bool nsInPath = !info.namespace_.empty() && type.resource != "namespaces";
  if (nsInPath && !type.namespaced) co_return co_await fail(notFoundResource());
  bool needsNamespace = type.namespaced && (info.verb != "list" && info.verb != "watch");
  if (needsNamespace && info.namespace_.empty()) co_return co_await fail(notFoundResource());
  if (!negotiated.acceptable) {
    co_return co_await fail(makeError(
        Reason::NotAcceptable, "only the following media types are accepted: application/json, "
                               "application/yaml, application/json;as=Table;v=v1;g=meta.k8s.io"));
  }
  if (auto bad = invalidNameParameter(info.name)) co_return co_await fail(*bad);
  if (type.group.empty() && type.resource == "serviceaccounts" && info.subresource == "token") {
    ApiResponse tokenResponse =
        co_await handleTokenRequest(request, info, *registry, options_.tokenRequest);
    co_return co_await sink.respond(std::move(tokenResponse));
  }
  if (isKubeletSubresource(type.group, type.resource, info.subresource)) {
    co_return co_await handleKubeletSubresource(request, info, *registry, find("", "v1", "nodes"),
                                                options_.kubeletConnector, sink);
  }
  auto sub = subresourceOf(type, info.subresource);
  if (!sub) co_return co_await fail(sub.error());
  if (*sub == Subresource::Binding && info.verb != "create") {
    co_return co_await fail(makeError(Reason::MethodNotAllowed,
                                      "the server does not allow this method on the requested "
                                      "resource"));
  }
  const std::string ns = type.namespaced ? info.namespace_ : "";
  const std::string& verb = info.verb;

  if (verb == "watch") co_return co_await handleWatch(request, info, *registry, sink);

  if (verb == "get") {
    if (*sub == Subresource::Scale) {
      auto scale = co_await registry->getScale(ns, info.name);
      if (!scale) co_return co_await fail(scale.error());
      co_return co_await sink.respond(enc.encode(200, *scale));
    }
    auto found = co_await registry->get(ns, info.name);
    if (!found) co_return co_await fail(found.error());
    if (enc.form == ResponseForm::Table) {
      auto table = makeTable(type, parseItems({*found}),
                             parseIncludeObject(queryParam(request.query, "includeObject")), "", "");
      co_return co_await sink.respond(jsonResponse(200, table));
    }
    co_return co_await sink.respond(enc.encodeRaw(200, *found->json));
  }

  if (verb == "list") {
    auto options = parseListOptions(type, request.query);
    if (!options) co_return co_await fail(options.error());
    auto list = co_await registry->list(ns, std::move(*options));
    if (!list) co_return co_await fail(list.error());
    std::string token =
        list->continueAfter.empty() ? "" : encodeContinue(list->revision, list->continueAfter);
    if (enc.form == ResponseForm::Table) {
      auto table = makeTable(type, parseItems(list->items),
                             parseIncludeObject(queryParam(request.query, "includeObject")),
                             std::to_string(list->revision), token);
      co_return co_await sink.respond(jsonResponse(200, table));
    }
    co_return co_await sink.respond(enc.encodeRaw(200, encodeList(type, *list, token)));
  }

  auto options = writeOptions(request.query);
  if (!options) co_return co_await fail(options.error());
  // Admission's warnings join field validation's in the response.
  std::vector<std::string> admissionWarnings;
  options->requester.user = &*request.user;
  options->requester.warnings = &admissionWarnings;
  if (request.audit) options->requester.auditAnnotations = request.audit->annotations();
  if ((verb == "update" || verb == "patch") && info.name.empty()) {
    co_return co_await fail(makeError(Reason::MethodNotAllowed,
                                      "the server does not allow this method on the requested "
                                      "resource"));
  }

  if (verb == "create" && *sub == Subresource::Binding) {
    // POST pods/NAME/binding answers a Success Status (201), as upstream.
    auto body = decodeObject(request);
    if (!body) co_return co_await fail(body.error());
    if (request.audit) request.audit->setRequestObject(*body);
    auto bound = co_await registry->update(ns, info.name, std::move(*body), *sub, *options);
    if (!bound) co_return co_await fail(bound.error());
    json::object status{{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", json::object()},
                        {"status", "Success"}, {"code", 201}};
    co_return co_await sink.respond(jsonResponse(201, status));
  }
  if (verb == "create") {
    if (!info.name.empty() || *sub != Subresource::None) {
      co_return co_await fail(makeError(Reason::MethodNotAllowed,
                                        "the server does not allow this method on the requested "
                                        "resource"));
    }
    auto body = decodeObject(request);
    if (!body) co_return co_await fail(body.error());
    if (request.audit) request.audit->setRequestObject(*body);
    auto warnings = checkBodyFields(request, type, *sub, "CreateOptions", *body);
    if (!warnings) co_return co_await fail(warnings.error());
    auto created = co_await registry->create(ns, std::move(*body), *options);
    ApiResponse response = created ? enc.encode(201, *created) : errorResponse(created.error());
    warnings->insert(warnings->end(), admissionWarnings.begin(), admissionWarnings.end());
    addWarnings(response, *warnings);
    co_return co_await sink.respond(std::move(response));
  }

  if (verb == "update") {
    auto body = decodeObject(request);
    if (!body) co_return co_await fail(body.error());
    if (request.audit) request.audit->setRequestObject(*body);
    auto warnings = checkBodyFields(request, type, *sub, "UpdateOptions", *body);
    if (!warnings) co_return co_await fail(warnings.error());
    auto updated = co_await registry->update(ns, info.name, std::move(*body), *sub, *options);
    ApiResponse response = updated ? enc.encode(200, *updated) : errorResponse(updated.error());
    warnings->insert(warnings->end(), admissionWarnings.begin(), admissionWarnings.end());
    addWarnings(response, *warnings);
    co_return co_await sink.respond(std::move(response));
  }

  if (verb == "patch") {
    auto type = patchType(request.contentType);
    if (!type) co_return co_await fail(type.error());
    if (request.audit) request.audit->setRequestObjectJson(request.body);
    auto warnings = checkPatchFields(request, registry->type(), *sub, *type);
    if (!warnings) co_return co_await fail(warnings.error());
    auto patched =
        co_await registry->patch(ns, info.name, *type, std::move(request.body), *sub, *options);
    ApiResponse response = patched ? enc.encode(200, *patched) : errorResponse(patched.error());
    warnings->insert(warnings->end(), admissionWarnings.begin(), admissionWarnings.end());
    addWarnings(response, *warnings);
    co_return co_await sink.respond(std::move(response));
  }

  if (verb == "delete" || verb == "deletecollection") {
    if (*sub != Subresource::None) {
      co_return co_await fail(makeError(Reason::MethodNotAllowed,
                                        "the server does not allow this method on the requested "
                                        "resource"));
    }
    auto delOptions = deleteOptions(request);
    if (!delOptions) co_return co_await fail(delOptions.error());
    delOptions->requester = options->requester;
    if (verb == "delete") {
      auto deleted = co_await registry->remove(ns, info.name, *delOptions);
      if (!deleted) co_return co_await fail(deleted.error());
      if (deleted->deleted && !type.returnsDeletedObject) {
        std::string uid(api::getString(*api::findObject(deleted->object, "metadata"), "uid"));
        co_return co_await sink.respond(
            enc.encode(200, api::successStatus(info.name, type.group, type.resource, uid)));
      }
      co_return co_await sink.respond(enc.encode(200, deleted->object));
    }
    auto listOptions = parseListOptions(type, request.query);
    if (!listOptions) co_return co_await fail(listOptions.error());
    auto list = co_await registry->list(ns, std::move(*listOptions));
    if (!list) co_return co_await fail(list.error());
    json::array items;
    for (const auto& item : list->items) {
      auto obj = api::parseJson(*item.json);
      if (!obj || !obj->is_object()) continue;
      std::string itemNs(api::metaNamespace(obj->get_object()));
      std::string itemName(api::metaName(obj->get_object()));
      auto deleted = co_await registry->remove(itemNs, itemName, *delOptions);
      if (deleted) items.push_back(std::move(deleted->object));
      else if (deleted.error().reason != Reason::NotFound) co_return co_await fail(deleted.error());
    }
    json::object result;
    result["kind"] = type.listKind();
    result["apiVersion"] = type.apiVersion();
    result["metadata"] = json::object();
    result["items"] = std::move(items);
    co_return co_await sink.respond(enc.encode(200, result));
  }
  co_return co_await fail(makeError(Reason::MethodNotAllowed,
                                    "the server does not allow this method on the requested "
                                    "resource"));
}

}  // namespace kcpp::apiserver
