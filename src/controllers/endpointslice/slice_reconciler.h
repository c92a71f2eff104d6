#pragma once
// Which EndpointSlices to create, update and delete so that a Service's
// slices of one address type hold the desired endpoints, changing as few
// slices as possible (upstream's Reconciler.reconcileByAddressType and
// reconcileByPortMapping):
//  1. each existing slice keeps the endpoints still desired (refreshed in
//     place), drops the others, and is deleted once empty; a slice whose
//     labels are stale is updated;
//  2. endpoints still to place first fill the slices already being updated,
//     fullest first;
//  3. what remains goes into new slices of at most maxEndpointsPerSlice, a
//     last partial batch into the unchanged slice it fills closest to full;
//  4. a Service without endpoints keeps one empty placeholder slice;
//  5. a slice about to be deleted is reused (updated) for one about to be
//     created.
// Slices not owned by the Service (an older Service of the same name) are
// deleted.

#include <boost/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "controllers/endpointslice/desired_endpoints.h"

namespace kcpp::controllers::endpointslice {

struct SliceChanges {
  std::vector<json::object> toCreate;  // with generateName, no name
  std::vector<json::object> toUpdate;
  std::vector<json::object> toDelete;
};

using SlicePtr = std::shared_ptr<const json::object>;

SliceChanges reconcileAddressType(const json::object& service, const std::string& addressType,
                                  PortGroups desired, const std::vector<SlicePtr>& existing,
                                  std::size_t maxEndpointsPerSlice, std::string_view controllerName);

// A new, empty slice of `service` with these ports.
json::object newSlice(const json::object& service, const std::string& addressType, json::array ports,
                      std::string_view controllerName);

// The slice's ownerReferences name this Service (by uid).
bool ownedBy(const json::object& slice, const json::object& service);

}  // namespace kcpp::controllers::endpointslice
