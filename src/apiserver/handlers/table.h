#pragma once
// Table output (meta.k8s.io/v1 Table), the form `kubectl get` asks for. Columns
// come from a per-resource table of column definitions; resources without their
// own get upstream's default (Name, Created At → shown as NAME and AGE here).

#include <boost/json.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "api/schema/resource_type.h"

namespace kcpp::apiserver {

enum class IncludeObject { None, Metadata, Object };
IncludeObject parseIncludeObject(const std::string& value);

// A Table of `objects` (each a full object) of `type`.
boost::json::object makeTable(const api::ResourceType& type,
                              const std::vector<boost::json::object>& objects,
                              IncludeObject include, const std::string& resourceVersion,
                              const std::string& continueToken);

// upstream's duration.HumanDuration: "5s", "3m20s", "2d4h", ...
std::string humanDuration(std::chrono::seconds d);

}  // namespace kcpp::apiserver
