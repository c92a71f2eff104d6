#include "api/meta/status.h"

namespace kcpp::api {

namespace json = boost::json;

json::object statusObject(const Error& error) {
  json::object status;
  status["kind"] = "Status";
  status["apiVersion"] = "v1";
  status["metadata"] = json::object();
  status["status"] = "Failure";
  status["message"] = error.message;
  status["reason"] = reasonName(error.reason);
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

Error invalid(const std::string& kind, const std::string& group, const std::string& name,
              std::vector<Cause> causes) {
  std::string message = kind + " \"" + name + "\" is invalid: ";
  if (causes.size() == 1) {
    message += causes[0].field.empty() ? causes[0].message
                                       : causes[0].field + ": " + causes[0].message;
  } else {
    // Upstream's aggregate form: "[a: x, b: y]".
    message += "[";
    for (std::size_t i = 0; i < causes.size(); ++i) {
      if (i) message += ", ";
      message += causes[i].field.empty() ? causes[i].message
                                         : causes[i].field + ": " + causes[i].message;
    }
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

}  // namespace kcpp::api
