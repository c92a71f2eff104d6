#include "apiserver/handlers/access_review.h"

#include <boost/json.hpp>

#include "apiserver/handlers/codec.h"

namespace kcpp::apiserver {

namespace json = boost::json;

namespace {

constexpr const char* kGroup = "authorization.k8s.io";

enum class ReviewKind { Self, Subject, Local, SelfRules };

struct ReviewType {
  ReviewKind kind;
  const char* resource;
  const char* kindName;
  bool namespaced;
};

constexpr ReviewType kReviewTypes[] = {
    {ReviewKind::Local, "localsubjectaccessreviews", "LocalSubjectAccessReview", true},
    {ReviewKind::Self, "selfsubjectaccessreviews", "SelfSubjectAccessReview", false},
    {ReviewKind::SelfRules, "selfsubjectrulesreviews", "SelfSubjectRulesReview", false},
    {ReviewKind::Subject, "subjectaccessreviews", "SubjectAccessReview", false},
};

std::string field(const json::object& obj, const char* key) {
  const json::value* v = obj.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::vector<std::string> strings(const json::object& obj, const char* key) {
  std::vector<std::string> out;
  const json::value* v = obj.if_contains(key);
  if (!v || !v->is_array()) return out;
  for (const auto& s : v->get_array()) {
    if (s.is_string()) out.emplace_back(s.get_string());
  }
  return out;
}

// Go's %q of a string (enough for the values reviews carry).
std::string quoted(const std::string& s) { return json::serialize(json::string(s)); }

struct FieldError {
  std::string path;
  std::string value;  // already formatted as upstream prints it
  std::string detail;
};

// Upstream's NewInvalid: one error inline, several as "[a, b]".
Error invalid(const char* kind, const std::vector<FieldError>& errors) {
  std::vector<std::string> texts;
  for (const auto& fe : errors) {
    texts.push_back(fe.path + ": Invalid value: " + fe.value + ": " + fe.detail);
  }
  std::string all = texts.size() == 1 ? texts[0] : "[";
  if (texts.size() > 1) {
    for (std::size_t i = 0; i < texts.size(); ++i) all += (i ? ", " : "") + texts[i];
    all += "]";
  }
  Error e = makeError(Reason::Invalid, std::string(kind) + ".authorization.k8s.io \"\" is invalid: " + all);
  e.group = kGroup;
  e.kind = kind;
  for (const auto& fe : errors) {
    e.causes.push_back(Cause{"FieldValueInvalid", "Invalid value: " + fe.value + ": " + fe.detail, fe.path});
  }
  return e;
}

// Go's %#v of the internal NonResourceAttributes, as upstream's message shows it.
std::string goNonResourceAttributes(const json::object& a) {
  return "authorization.NonResourceAttributes{Path:" + quoted(field(a, "path")) +
         ", Verb:" + quoted(field(a, "verb")) + "}";
}

// Upstream's ValidateSubjectAccessReviewSpec (and the Self variant without the
// user check).
std::vector<FieldError> validateSpec(const json::object& spec, bool needsSubject) {
  std::vector<FieldError> errors;
  const json::value* ra = spec.if_contains("resourceAttributes");
  const json::value* nra = spec.if_contains("nonResourceAttributes");
  bool hasRa = ra && ra->is_object();
  bool hasNra = nra && nra->is_object();
  if (hasRa && hasNra) {
    errors.push_back({"spec.nonResourceAttributes", goNonResourceAttributes(nra->get_object()),
                      "cannot be specified in combination with resourceAttributes"});
  }
  if (!hasRa && !hasNra) {
    errors.push_back({"spec.resourceAttributes", "\"null\"",
                      "exactly one of nonResourceAttributes or resourceAttributes must be specified"});
  }
  if (needsSubject && field(spec, "user").empty() && strings(spec, "groups").empty()) {
    errors.push_back({"spec.user", quoted(field(spec, "user")),
                      "at least one of user or group must be specified"});
  }
  return errors;
}

RequestInfo askedRequest(const json::object& spec) {
  RequestInfo asked;
  const json::value* ra = spec.if_contains("resourceAttributes");
  if (ra && ra->is_object()) {
    const json::object& a = ra->get_object();
    asked.isResourceRequest = true;
    asked.verb = field(a, "verb");
    asked.apiGroup = field(a, "group");
    asked.apiVersion = field(a, "version");
    asked.namespace_ = field(a, "namespace");
    asked.resource = field(a, "resource");
    asked.subresource = field(a, "subresource");
    asked.name = field(a, "name");
    return asked;
  }
  const json::value* nra = spec.if_contains("nonResourceAttributes");
  if (nra && nra->is_object()) {
    asked.verb = field(nra->get_object(), "verb");
    asked.path = field(nra->get_object(), "path");
  }
  return asked;
}

// The user a (Local)SubjectAccessReview asks about: spec.user, groups, uid, as
// given (upstream adds no implied groups).
UserInfo subjectOf(const json::object& spec) {
  return UserInfo{field(spec, "user"), field(spec, "uid"), strings(spec, "groups")};
}

json::object reviewMetadata(const json::object& review) {
  json::object meta;
  if (const json::value* m = review.if_contains("metadata"); m && m->is_object()) meta = m->get_object();
  meta["creationTimestamp"] = nullptr;
  return meta;
}

bool metadataEmpty(const json::object& review, bool allowNamespace) {
  const json::value* m = review.if_contains("metadata");
  if (!m || !m->is_object()) return true;
  for (const auto& kv : m->get_object()) {
    if (kv.key() == "creationTimestamp" || kv.key() == "managedFields") continue;
    if (allowNamespace && kv.key() == "namespace") continue;
    const json::value& v = kv.value();
    bool empty = v.is_null() || (v.is_string() && v.get_string().empty()) ||
                 (v.is_object() && v.get_object().empty()) || (v.is_array() && v.get_array().empty());
    if (!empty) return false;
  }
  return true;
}

json::object accessStatus(const Verdict& verdict) {
  json::object status;
  status["allowed"] = verdict.decision == Decision::Allow;
  if (verdict.decision == Decision::Deny) status["denied"] = true;
  if (!verdict.reason.empty()) status["reason"] = verdict.reason;
  return status;
}

json::array toArray(const std::vector<std::string>& items) {
  json::array a;
  for (const auto& s : items) a.emplace_back(s);
  return a;
}

json::object rulesStatus(const UserRules& rules) {
  json::array resourceRules;
  for (const auto& r : rules.resourceRules) {
    json::object o{{"verbs", toArray(r.verbs)}};
    if (!r.apiGroups.empty()) o["apiGroups"] = toArray(r.apiGroups);
    if (!r.resources.empty()) o["resources"] = toArray(r.resources);
    if (!r.resourceNames.empty()) o["resourceNames"] = toArray(r.resourceNames);
    resourceRules.push_back(std::move(o));
  }
  json::array nonResourceRules;
  for (const auto& r : rules.nonResourceRules) {
    json::object o{{"verbs", toArray(r.verbs)}};
    if (!r.nonResourceURLs.empty()) o["nonResourceURLs"] = toArray(r.nonResourceURLs);
    nonResourceRules.push_back(std::move(o));
  }
  json::object status{{"resourceRules", std::move(resourceRules)},
                      {"nonResourceRules", std::move(nonResourceRules)},
                      {"incomplete", rules.incomplete}};
  // Upstream's error aggregate: one error as is, several as "[a, b]".
  if (rules.errors.size() == 1) status["evaluationError"] = rules.errors[0];
  if (rules.errors.size() > 1) {
    std::string all = "[";
    for (std::size_t i = 0; i < rules.errors.size(); ++i) all += (i ? ", " : "") + rules.errors[i];
    status["evaluationError"] = all + "]";
  }
  return status;
}

Result<ApiResponse> answer(const ReviewType& type, const ApiRequest& request, const RequestInfo& info,
                           json::object review, const Authorizer& authorizer) {
  json::object spec;
  if (const json::value* s = review.if_contains("spec"); s && s->is_object()) spec = s->get_object();
  json::object out{{"kind", type.kindName}, {"apiVersion", "authorization.k8s.io/v1"}};
  const UserInfo& requester = *request.user;
  if (type.kind == ReviewKind::SelfRules) {
    std::string ns = field(spec, "namespace");
    if (ns.empty()) return makeError(Reason::BadRequest, "no namespace on request");
    UserRules rules;
    authorizer.rulesFor(requester, ns, rules);
    out["metadata"] = json::object{{"creationTimestamp", nullptr}};
    out["spec"] = json::object{};
    out["status"] = rulesStatus(rules);
    return jsonResponse(201, out);
  }
  bool aboutSubject = type.kind != ReviewKind::Self;
  std::vector<FieldError> errors = validateSpec(spec, aboutSubject);
  if (type.kind == ReviewKind::Local) {
    // The object's namespace is the request's (upstream sets an empty one and
    // rejects a different one before the review is looked at).
    json::object meta = reviewMetadata(review);
    std::string objectNs = field(meta, "namespace");
    if (!objectNs.empty() && objectNs != info.namespace_) {
      return makeError(Reason::BadRequest, "the namespace of the provided object does not match "
                                           "the namespace sent on the request");
    }
    const json::value* ra = spec.if_contains("resourceAttributes");
    if (ra && ra->is_object() && field(ra->get_object(), "namespace") != info.namespace_) {
      errors.push_back({"spec.resourceAttributes.namespace",
                        quoted(field(ra->get_object(), "namespace")), "must match metadata.namespace"});
    }
    const json::value* nra = spec.if_contains("nonResourceAttributes");
    if (nra && nra->is_object()) {
      errors.push_back({"spec.nonResourceAttributes", goNonResourceAttributes(nra->get_object()),
                        "disallowed on this kind of request"});
    }
  }
  if (!metadataEmpty(review, type.kind == ReviewKind::Local)) {
    errors.push_back({"metadata", json::serialize(review.at("metadata")),
                      type.kind == ReviewKind::Local ? "must be empty except for namespace"
                                                     : "must be empty"});
  }
  if (!errors.empty()) return invalid(type.kindName, errors);
  UserInfo subject = aboutSubject ? subjectOf(spec) : requester;
  Verdict verdict = authorizer.decide(subject, askedRequest(spec));
  json::object meta = reviewMetadata(review);
  if (type.kind == ReviewKind::Local) meta["namespace"] = info.namespace_;
  out["metadata"] = std::move(meta);
  out["spec"] = std::move(spec);
  out["status"] = accessStatus(verdict);
  return jsonResponse(201, out);
}

}  // namespace

const std::vector<api::ResourceType>& accessReviewTypes() {
  static const std::vector<api::ResourceType> types = [] {
    std::vector<api::ResourceType> out;
    for (const ReviewType& r : kReviewTypes) {
      api::ResourceType t;
      t.group = kGroup;
      t.version = "v1";
      t.resource = r.resource;
      t.kind = r.kindName;
      t.singular = std::string(r.kindName);
      for (auto& c : t.singular) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      t.namespaced = r.namespaced;
      t.verbs = {"create"};
      out.push_back(std::move(t));
    }
    return out;
  }();
  return types;
}

std::optional<ApiResponse> accessReview(const ApiRequest& request, const RequestInfo& info,
                                        const Authorizer& authorizer) {
  if (!info.isResourceRequest || info.apiGroup != kGroup || info.apiVersion != "v1") {
    return std::nullopt;
  }
  const ReviewType* type = nullptr;
  for (const ReviewType& r : kReviewTypes) {
    if (info.resource == r.resource) type = &r;
  }
  if (!type) return std::nullopt;
  bool nsMismatch = type->namespaced ? info.namespace_.empty() : !info.namespace_.empty();
  if (!info.name.empty() || !info.subresource.empty() || nsMismatch) {
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
  auto answered = answer(*type, request, info, std::move(body.get_object()), authorizer);
  if (!answered) return errorResponse(answered.error());
  return std::move(*answered);
}

}  // namespace kcpp::apiserver
