#pragma once
// Table output (meta.k8s.io/v1 Table), the form `kubectl get` asks for. Columns
// and cells are upstream's (pkg/printers/internalversion), one printer per
// resource (table_columns.h; per-group files table_core.cpp, table_apps.cpp, ...).
// Resources without a printer get upstream's default convertor: Name and
// "Created At" (a date, RFC 3339), as for roles and limitranges.

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
