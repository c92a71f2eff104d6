#pragma once
// The operation parameters the OpenAPI documents list, with upstream's
// descriptions. Internal to the openapi room.

#include <boost/json.hpp>

#include <initializer_list>
#include <string_view>

namespace kcpp::apiserver::openapi {

// One parameter object (`{"name": ..., "in": "query", "schema": ...}`); a name
// the table lacks is a broken invariant.
boost::json::object parameter(std::string_view name);
boost::json::array parameters(std::initializer_list<std::string_view> names);
// The path parameter "name" of a kind: "name of the Pod".
boost::json::object nameParameter(std::string_view kind);

}  // namespace kcpp::apiserver::openapi
