#include "api/meta/status.h"

#include <algorithm>

namespace kcpp::api {

namespace json = boost::json;

json::object statusObject(const Error& error) {
  json::object status;
  status["kind"] = "Status";
  status["apiVersion"] = "v1";
  status["metadata"] = json::object();
  status["status"] = "Failure";
  status["message"] = error.message;
  if (error.reason != Reason::Unknown) status["reason"] = reasonName(error.reason);
  json::object details;
  if (!error.name.empty()) details["name"] = error.name;
  if (!error.group.empty()) details["group"] = error.group;
  if (!error.kind.empty()) details["kind"] = error.kind;
  if (!error.causes.empty()) {
    json::array causes;
    for (const Cause& c : error.causes) {
      json::object cause;
      if (!c.type.empty()) cause["reason"] = c.type;
      cause["message"] = c.message;
      if (!c.field.empty()) cause["field"] = c.field;
      causes.push_back(std::move(cause));
    }
    details["causes"] = std::move(causes);
  }
  if (error.retryAfterSeconds) details["retryAfterSeconds"] = *error.retryAfterSeconds;
  if (!details.empty()) status["details"] = std::move(details);
  status["code"] = error.code();
  return status;
}

json::object successStatus(const std::string& name, const std::string& group,
                           const std::string& kind, const std::string& uid) {
  json::object details;
  details["name"] = name;
  if (!group.empty()) details["group"] = group;
  details["kind"] = kind;
  details["uid"] = uid;
  json::object status;
  status["kind"] = "Status";
  status["apiVersion"] = "v1";
  status["metadata"] = json::object();
  status["status"] = "Success";
  status["details"] = std::move(details);
  return status;
}

std::string qualifiedResource(const std::string& resource, const std::string& group) {
  return group.empty() ? resource : resource + "." + group;
}

static Error aboutObject(Reason reason, std::string message, const std::string& resource,
                         const std::string& group, const std::string& name) {
  Error e = makeError(reason, std::move(message));
  e.name = name;
  e.group = group;
  e.kind = resource;
  return e;
}

Error notFound(const std::string& resource, const std::string& group, const std::string& name) {
  return aboutObject(Reason::NotFound,
                     qualifiedResource(resource, group) + " \"" + name + "\" not found", resource,
                     group, name);
}

Error alreadyExists(const std::string& resource, const std::string& group,
                    const std::string& name) {
  return aboutObject(Reason::AlreadyExists,
                     qualifiedResource(resource, group) + " \"" + name + "\" already exists",
                     resource, group, name);
}

Error conflict(const std::string& resource, const std::string& group, const std::string& name,
               const std::string& why) {
  return aboutObject(Reason::Conflict,
                     "Operation cannot be fulfilled on " + qualifiedResource(resource, group) +
                         " \"" + name + "\": " + why,
                     resource, group, name);
}

Error badRequest(std::string message) { return makeError(Reason::BadRequest, std::move(message)); }

// Upstream's qualifiedKind.String(): "Deployment.apps"; the core group adds nothing.
static std::string qualifiedKind(const std::string& kind, const std::string& group) {
  if (group.empty()) return kind;
  std::string suffix = "." + group;
  bool qualified = kind.size() > suffix.size() &&
                   kind.compare(kind.size() - suffix.size(), suffix.size(), suffix) == 0;
  return qualified ? kind : kind + suffix;
}

static std::string causeText(const Cause& c) {
  return c.field.empty() ? c.message : c.field + ": " + c.message;
}

Error invalid(const std::string& kind, const std::string& group, const std::string& name,
              std::vector<Cause> causes) {
  std::string message = qualifiedKind(kind, group) + " \"" + name + "\" is invalid: ";
  // Upstream's aggregate: one error as is, several de-duplicated in "[a, b]".
  std::vector<std::string> texts;
  for (const Cause& c : causes) {
    std::string text = causeText(c);
    if (std::find(texts.begin(), texts.end(), text) == texts.end()) texts.push_back(text);
  }
  if (texts.size() == 1) {
    message += texts[0];
  } else {
    message += "[";
    for (std::size_t i = 0; i < texts.size(); ++i) message += (i ? ", " : "") + texts[i];
    message += "]";
  }
  Error e = makeError(Reason::Invalid, std::move(message));
  e.name = name;
  e.group = group;
  e.kind = kind;
  e.causes = std::move(causes);
  return e;
}

Cause fieldRequired(const std::string& field, const std::string& detail) {
  return Cause{"FieldValueRequired", "Required value" + (detail.empty() ? "" : ": " + detail),
               field};
}

Cause fieldInvalid(const std::string& field, const std::string& value, const std::string& detail) {
  return Cause{"FieldValueInvalid", "Invalid value: \"" + value + "\": " + detail, field};
}

Cause fieldForbidden(const std::string& field, const std::string& detail) {
  return Cause{"FieldValueForbidden", "Forbidden: " + detail, field};
}

Cause fieldInvalidValue(const std::string& field, const std::string& rendered,
                        const std::string& detail) {
  return Cause{"FieldValueInvalid",
               "Invalid value: " + rendered + (detail.empty() ? "" : ": " + detail), field};
}

Cause fieldNotFound(const std::string& field, const std::string& rendered) {
  return Cause{"FieldValueNotFound", "Not found: " + rendered, field};
}

Cause fieldDuplicate(const std::string& field, const std::string& rendered) {
  return Cause{"FieldValueDuplicate", "Duplicate value: " + rendered, field};
}

// strconv.Quote of the plain ASCII enum values upstream lists.
static std::string quoteSupported(const std::string& v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

Cause fieldNotSupported(const std::string& field, const std::string& rendered,
                        const std::vector<std::string>& supported) {
  std::string message = "Unsupported value: " + rendered;
  for (std::size_t i = 0; i < supported.size(); ++i) {
    message += (i ? ", " : ": supported values: ") + quoteSupported(supported[i]);
  }
  return Cause{"FieldValueNotSupported", std::move(message), field};
}

Cause fieldTooLong(const std::string& field, long long maxBytes) {
  return Cause{"FieldValueTooLong",
               "Too long: may not be more than " + std::to_string(maxBytes) + " bytes", field};
}

Cause fieldTooMany(const std::string& field, long long actual, long long max) {
  return Cause{"FieldValueTooMany", "Too many: " + std::to_string(actual) +
                                        ": must have at most " + std::to_string(max) + " items",
               field};
}

}  // namespace kcpp::api
