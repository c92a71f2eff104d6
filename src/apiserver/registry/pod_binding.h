#pragma once
// pods/binding (upstream's BindingREST): a Binding assigns an unbound pod to a
// node, sets spec.nodeName, merges the Binding's annotations and marks the pod
// PodScheduled=True. A pod already bound, or being deleted, is a 409.

#include <boost/json.hpp>

#include "util/error.h"

namespace kcpp::apiserver {

// The pod `current` becomes when `binding` (a v1 Binding) is applied to it.
Result<boost::json::object> bindPod(const boost::json::object& current,
                                    const boost::json::object& binding);

}  // namespace kcpp::apiserver
