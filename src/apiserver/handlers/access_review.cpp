#include "apiserver/handlers/access_review.h"

#include <boost/json.hpp>

#include "apiserver/handlers/codec.h"

namespace kcpp::apiserver {

namespace json = boost::json;

namespace {

constexpr const char* kGroup = "authorization.k8s.io";

std::string field(const json::object& obj, const char* key) {
  const json::value* v = obj.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

Error invalid(const std::string& path, const std::string& detail, const std::string& value) {
  Error e = makeError(Reason::Invalid, "SelfSubjectAccessReview.authorization.k8s.io \"\" is invalid: " +
                                           path + ": Invalid value: " + value + ": " + detail);
  e.group = kGroup;
  e.kind = "SelfSubjectAccessReview";
  e.causes.push_back(Cause{"FieldValueInvalid", "Invalid value: " + value + ": " + detail, path});
  return e;
}

}  // namespace

const std::vector<api::ResourceType>& accessReviewTypes() {
  static const std::vector<api::ResourceType> types = [] {
    api::ResourceType t;
    t.group = kGroup;
    t.version = "v1";
    t.resource = "selfsubjectaccessreviews";
    t.kind = "SelfSubjectAccessReview";
    t.singular = "selfsubjectaccessreview";
    t.namespaced = false;
    t.verbs = {"create"};
    return std::vector<api::ResourceType>{t};
  }();
  return types;
}

std::optional<ApiResponse> accessReview(const ApiRequest& request, const RequestInfo& info,
                                        const Authorizer& authorizer) {
  if (!info.isResourceRequest || info.apiGroup != kGroup || info.apiVersion != "v1" ||
      info.resource != "selfsubjectaccessreviews") {
    return std::nullopt;
  }
  if (!info.name.empty() || !info.subresource.empty() || !info.namespace_.empty()) {
    return errorResponse(makeError(Reason::NotFound, "the server could not find the requested resource"));
  }
  if (info.verb != "create") {
    Error e = makeError(Reason::MethodNotAllowed,
                        "the server does not allow this method on the requested resource");
    return errorResponse(e);
  }
  auto decoded = decodeBody(request.contentType, request.body);
  if (!decoded) return errorResponse(decoded.error());
  json::value body = std::move(*decoded);
  if (!body.is_object()) {
    return errorResponse(makeError(Reason::BadRequest, "the body of the request was in an unknown "
                                                       "format - accepted media types include: "
                                                       "application/json, application/yaml, "
                                                       "application/vnd.kubernetes.protobuf"));
  }
  json::object review = std::move(body.get_object());
  json::object spec;
  if (const json::value* s = review.if_contains("spec"); s && s->is_object()) spec = s->get_object();
  const json::value* ra = spec.if_contains("resourceAttributes");
  const json::value* nra = spec.if_contains("nonResourceAttributes");
  bool hasRa = ra && ra->is_object();
  bool hasNra = nra && nra->is_object();
  if (!hasRa && !hasNra) {
    return errorResponse(invalid("spec.resourceAttributes", "exactly one of nonResourceAttributes or "
                                 "resourceAttributes must be specified", "null"));
  }
  if (hasRa && hasNra) {
    return errorResponse(invalid("spec.nonResourceAttributes", "cannot be specified in combination "
                                 "with resourceAttributes", json::serialize(*nra)));
  }
  RequestInfo asked;
  if (hasRa) {
    const json::object& a = ra->get_object();
    asked.isResourceRequest = true;
    asked.verb = field(a, "verb");
    asked.apiGroup = field(a, "group");
    asked.apiVersion = field(a, "version");
    asked.namespace_ = field(a, "namespace");
    asked.resource = field(a, "resource");
    asked.subresource = field(a, "subresource");
    asked.name = field(a, "name");
  } else {
    const json::object& a = nra->get_object();
    asked.verb = field(a, "verb");
    asked.path = field(a, "path");
  }
  const UserInfo& user = *request.user;
  Decision d = authorizer.authorize(user, asked);
  json::object status;
  status["allowed"] = d == Decision::Allow;
  if (d == Decision::Deny) status["denied"] = true;
  json::object meta;
  if (const json::value* m = review.if_contains("metadata"); m && m->is_object()) meta = m->get_object();
  meta["creationTimestamp"] = nullptr;
  json::object out;
  out["kind"] = "SelfSubjectAccessReview";
  out["apiVersion"] = "authorization.k8s.io/v1";
  out["metadata"] = std::move(meta);
  out["spec"] = std::move(spec);
  out["status"] = std::move(status);
  return jsonResponse(201, out);
}

}  // namespace kcpp::apiserver
