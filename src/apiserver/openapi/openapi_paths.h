#pragma once
// The `paths` of the OpenAPI v3 documents: every served resource's operations as
// upstream publishes them (operationId, x-kubernetes-action and -group-version-kind,
// query parameters — fieldValidation on every write, which kubectl looks for —
// request bodies and responses). Internal to the openapi room.

#include <boost/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "api/schema/resource_type.h"
#include "api/schema/schema_set.h"

namespace kcpp::apiserver::openapi {

// "Core", "Apps", "RbacAuthorization": the group's part of operation ids.
std::string operationGroup(std::string_view group);
// "core_v1", "rbacAuthorization_v1".
std::string operationTag(std::string_view group, std::string_view version);

// The paths of one group version: its discovery path ("/api/v1/") and the
// operations of `resources` (those of this group version).
boost::json::object groupVersionPaths(const api::SchemaSet& schemas, std::string_view group,
                                      std::string_view version,
                                      const std::vector<const api::ResourceType*>& resources);

// The single GET of a discovery document ("/api/", "/apis/", "/apis/apps/").
boost::json::object discoveryPath(const api::SchemaSet& schemas, std::string_view operationId,
                                  std::string_view tag, std::string_view description,
                                  std::string_view responseDefinition);

}  // namespace kcpp::apiserver::openapi
