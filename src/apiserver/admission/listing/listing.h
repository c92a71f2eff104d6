#pragma once
// The objects of a resource as admission plugins need them (upstream's plugins
// read informer listers): parsed, from the Registry's watch cache.

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "apiserver/registry/registry.h"
#include "util/error.h"

namespace kcpp::apiserver::admission {

// Every object in namespace `ns` (empty: all namespaces, or a cluster-scoped
// resource), in key order.
boost::asio::awaitable<Result<std::vector<boost::json::object>>> listObjects(Registry& registry,
                                                                             const std::string& ns);

// The object's metadata.annotations[key], or "" when absent.
std::string_view annotation(const boost::json::object& obj, std::string_view key);

// Upstream's choice among default classes (StorageClasses, IngressClasses):
// of the objects with any of `keys` annotated "true", the newest by
// creationTimestamp, ties broken by the smallest name; nullopt when none is.
std::optional<boost::json::object> newestMarkedDefault(std::vector<boost::json::object> objects,
                                                       std::initializer_list<std::string_view> keys);

}  // namespace kcpp::apiserver::admission
