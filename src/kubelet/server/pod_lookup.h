#pragma once
// PodLookup: the kubelet's pods as the server needs them (the pod manager's
// view: pods bound to this node and static pods), by namespace and name.

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

namespace kcpp::kubelet::server {

class PodLookup {
 public:
  virtual ~PodLookup() = default;
  virtual std::optional<boost::json::object> pod(const std::string& ns, const std::string& name) const = 0;
  virtual std::vector<boost::json::object> pods() const = 0;
};

}  // namespace kcpp::kubelet::server
