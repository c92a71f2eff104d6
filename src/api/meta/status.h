#pragma once
// The wire form of errors and successes: metav1.Status.

#include <boost/json.hpp>

#include <string>

#include "util/error.h"

namespace kcpp::api {

// {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",...}
boost::json::object statusObject(const Error& error);
// The success Status that DELETE returns for most resources.
boost::json::object successStatus(const std::string& name, const std::string& group,
                                  const std::string& kind, const std::string& uid);

// Upstream's standard errors about one object of a resource ("configmaps", group "").
// Their messages use the qualified resource ("deployments.apps").
Error notFound(const std::string& resource, const std::string& group, const std::string& name);
Error alreadyExists(const std::string& resource, const std::string& group, const std::string& name);
Error conflict(const std::string& resource, const std::string& group, const std::string& name,
               const std::string& why);
Error badRequest(std::string message);
// 422: `Kind "name" is invalid: <cause>, <cause>` with every cause listed.
Error invalid(const std::string& kind, const std::string& group, const std::string& name,
              std::vector<Cause> causes);
std::string qualifiedResource(const std::string& resource, const std::string& group);

// Field error causes with upstream's wording (field.Error.Error()).
Cause fieldRequired(const std::string& field, const std::string& detail);
Cause fieldInvalid(const std::string& field, const std::string& value, const std::string& detail);
Cause fieldForbidden(const std::string& field, const std::string& detail);
// The forms that print a value take it already rendered as Go prints it (a %q
// string, a number, a %#v struct): `Invalid value: <rendered>: <detail>`.
Cause fieldInvalidValue(const std::string& field, const std::string& rendered,
                        const std::string& detail);
// `Not found: <rendered>`.
Cause fieldNotFound(const std::string& field, const std::string& rendered);
// `Duplicate value: <rendered>`.
Cause fieldDuplicate(const std::string& field, const std::string& rendered);
// `Unsupported value: <rendered>: supported values: "a", "b"`.
Cause fieldNotSupported(const std::string& field, const std::string& rendered,
                        const std::vector<std::string>& supported);
// `Too long: may not be more than <max> bytes`.
Cause fieldTooLong(const std::string& field, long long maxBytes);
// `Too many: <actual>: must have at most <max> items`.
Cause fieldTooMany(const std::string& field, long long actual, long long max);

}  // namespace kcpp::api
