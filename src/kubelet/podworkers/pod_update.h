#pragma once
// The pod updates the pod sources hand to the pod workers. The kubelet-node
// helper's src/kubelet/config/pod_config.h defines the same shapes
// (config::PodOperation, config::PodUpdate, config::PodUpdateHandler); until
// it is merged this room carries its own copy, with identical names and
// meanings, so switching is a matter of an include and a namespace alias.
//
//   Add        new pods
//   Update     spec, labels, annotations or graceful-deletion fields changed
//   Delete     pods that got a deletionTimestamp (graceful deletion)
//   Remove     pods gone from their source
//   Reconcile  only the status changed

#include <boost/json.hpp>

#include <string>
#include <vector>

namespace kcpp::kubelet::podworkers {

enum class PodOperation { Add, Update, Delete, Remove, Reconcile };

struct PodUpdate {
  PodOperation op;
  std::string source;                     // "api" or "file"
  std::vector<boost::json::object> pods;  // the pods as desired now (for Remove: as last known)
};

}  // namespace kcpp::kubelet::podworkers
