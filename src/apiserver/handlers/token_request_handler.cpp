#include "apiserver/handlers/token_request_handler.h"

#include <boost/json.hpp>

#include <chrono>

#include "api/meta/object.h"
#include "apiserver/handlers/api_handler.h"
#include "apiserver/handlers/codec.h"

namespace kcpp::apiserver {

namespace json = boost::json;

namespace {

constexpr std::int64_t kDefaultExpirationSeconds = 3600;
constexpr std::int64_t kMinExpirationSeconds = 600;              // upstream's MinTokenAgeSec
constexpr std::int64_t kMaxExpirationSeconds = 1LL << 32;        // upstream's MaxTokenAgeSec

Error methodNotAllowed() {
  return makeError(Reason::MethodNotAllowed,
                   "the server does not allow this method on the requested resource");
}

Error invalidTokenRequest(const std::string& name, const std::string& field,
                          const std::string& detail) {
  Error e = makeError(Reason::Invalid, "TokenRequest.authentication.k8s.io \"" + name +
                                           "\" is invalid: " + field + ": " + detail);
  e.name = name;
  e.group = "authentication.k8s.io";
  e.kind = "TokenRequest";
  e.causes.push_back(Cause{"FieldValueInvalid", detail, field});
  return e;
}

std::string stringAt(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

boost::asio::awaitable<ApiResponse> handleTokenRequest(const ApiRequest& request,
                                                       const RequestInfo& info,
                                                       Registry& serviceAccounts,
                                                       const TokenRequestConfig& config) {
  if (!config.signer) {
    co_return errorResponse(
        makeError(Reason::NotFound, "the server could not find the requested resource"));
  }
  if (info.verb != "create" || info.name.empty()) co_return errorResponse(methodNotAllowed());
  auto decoded = decodeBody(request.contentType, request.body);
  if (!decoded) co_return errorResponse(decoded.error());
  if (!decoded->is_object()) {
    co_return errorResponse(makeError(
        Reason::BadRequest, "Object 'Kind' is missing in '" + request.body.substr(0, 200) + "'"));
  }
  json::object body = std::move(decoded->get_object());
  std::string kind = stringAt(body, "kind");
  if (!kind.empty() && kind != "TokenRequest") {
    co_return errorResponse(makeError(Reason::BadRequest,
                                      "request body is not a TokenRequest: kind " + kind));
  }
  const std::string& ns = info.namespace_;
  const std::string& name = info.name;
  json::object meta;
  if (auto* m = body.if_contains("metadata"); m && m->is_object()) meta = m->get_object();
  std::string bodyName = stringAt(meta, "name");
  std::string bodyNamespace = stringAt(meta, "namespace");
  if (!bodyName.empty() && bodyName != name) {
    co_return errorResponse(invalidTokenRequest(
        name, "metadata.name",
        "Invalid value: \"" + bodyName + "\": must match the service account name if specified"));
  }
  if (!bodyNamespace.empty() && bodyNamespace != ns) {
    co_return errorResponse(invalidTokenRequest(
        name, "metadata.namespace",
        "Invalid value: \"" + bodyNamespace +
            "\": must match the service account namespace if specified"));
  }
  json::object spec;
  if (auto* s = body.if_contains("spec"); s && s->is_object()) spec = s->get_object();
  std::int64_t expirationSeconds = kDefaultExpirationSeconds;
  if (auto* e = spec.if_contains("expirationSeconds"); e && !e->is_null()) {
    if (e->is_int64()) expirationSeconds = e->as_int64();
    // Out-of-range numbers clamp (to the "larger than 2^32" answer), never overflow.
    else if (e->is_uint64()) {
      expirationSeconds = e->as_uint64() > static_cast<std::uint64_t>(kMaxExpirationSeconds)
                              ? kMaxExpirationSeconds + 1
                              : static_cast<std::int64_t>(e->as_uint64());
    } else if (e->is_double()) {
      double d = e->as_double();
      expirationSeconds = !(d <= static_cast<double>(kMaxExpirationSeconds))
                              ? kMaxExpirationSeconds + 1
                              : d < 0 ? -1 : static_cast<std::int64_t>(d);
    }
  }
  spec["expirationSeconds"] = expirationSeconds;
  if (expirationSeconds < kMinExpirationSeconds) {
    co_return errorResponse(invalidTokenRequest(
        name, "spec.expirationSeconds",
        "Invalid value: " + std::to_string(expirationSeconds) +
            ": may not specify a duration less than 10 minutes"));
  }
  if (expirationSeconds > kMaxExpirationSeconds) {
    co_return errorResponse(invalidTokenRequest(
        name, "spec.expirationSeconds",
        "Invalid value: " + std::to_string(expirationSeconds) +
            ": may not specify a duration larger than 2^32 seconds"));
  }
  std::vector<std::string> audiences;
  if (auto* a = spec.if_contains("audiences"); a && a->is_array()) {
    for (const auto& item : a->as_array()) {
      if (item.is_string()) audiences.emplace_back(item.as_string());
    }
  }
  if (audiences.empty()) audiences = config.apiAudiences;
  json::array audArray;
  for (const auto& a : audiences) audArray.emplace_back(a);
  spec["audiences"] = std::move(audArray);

  std::optional<BoundObject> bound;
  if (auto* ref = spec.if_contains("boundObjectRef"); ref && ref->is_object()) {
    const json::object& r = ref->as_object();
    std::string refKind = stringAt(r, "kind");
    std::string apiVersion = stringAt(r, "apiVersion");
    auto slash = apiVersion.find('/');
    std::string group = slash == std::string::npos ? "" : apiVersion.substr(0, slash);
    std::string version = slash == std::string::npos ? apiVersion : apiVersion.substr(slash + 1);
    if (!group.empty() || (refKind != "Pod" && refKind != "Secret")) {
      co_return errorResponse(makeError(
          Reason::BadRequest, "cannot bind token for serviceaccount \"" + name +
                                  "\" to object of type " + group + "/" + version +
                                  ", Kind=" + refKind));
    }
    bound = BoundObject{refKind, stringAt(r, "name"), stringAt(r, "uid")};
  }

  auto sa = co_await serviceAccounts.get(ns, name);
  if (!sa) co_return errorResponse(sa.error());
  auto saObject = api::parseJson(*sa->json);
  std::string uid;
  if (saObject && saObject->is_object()) {
    if (auto* m = api::findObject(saObject->get_object(), "metadata")) {
      uid = std::string(api::getString(*m, "uid"));
    }
  }

  if (bound) {
    if (!config.boundObjectUid) {
      co_return errorResponse(makeError(Reason::BadRequest,
                                        "cannot bind token for serviceaccount \"" + name +
                                            "\" to object of type /v1, Kind=" + bound->kind));
    }
    auto boundUid = co_await config.boundObjectUid(bound->kind, ns, bound->name);
    if (!boundUid) co_return errorResponse(boundUid.error());
    if (!bound->uid.empty() && bound->uid != *boundUid) {
      Error e = makeError(Reason::Conflict,
                          "Operation cannot be fulfilled on " + bound->kind + " \"" + bound->name +
                              "\": the UID in the bound object reference (" + bound->uid +
                              ") does not match the UID in record. The object might have been "
                              "deleted and then recreated");
      e.name = bound->name;
      e.kind = bound->kind;
      co_return errorResponse(e);
    }
    bound->uid = *boundUid;
    if (auto* ref = spec.if_contains("boundObjectRef"); ref && ref->is_object()) {
      ref->as_object()["uid"] = *boundUid;
    }
  }

  auto now = std::chrono::system_clock::now();
  std::int64_t iat = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  ServiceAccountClaims claims;
  claims.ns = ns;
  claims.name = name;
  claims.uid = uid;
  claims.audiences = audiences;
  claims.issuedAt = iat;
  claims.expiresAt = iat + expirationSeconds;
  claims.bound = bound;
  auto token = config.signer->sign(claims);
  if (!token) co_return errorResponse(token.error());

  if (!meta.contains("creationTimestamp")) meta["creationTimestamp"] = nullptr;
  json::object out;
  out["kind"] = "TokenRequest";
  out["apiVersion"] = "authentication.k8s.io/v1";
  out["metadata"] = std::move(meta);
  out["spec"] = std::move(spec);
  out["status"] = json::object{
      {"token", *token},
      {"expirationTimestamp",
       api::formatTime(now + std::chrono::seconds(expirationSeconds))}};
  co_return jsonResponse(201, out);
}

}  // namespace kcpp::apiserver
