#pragma once
// Writes pod statuses to the API server as upstream's status manager does: only
// when what the kubelet computed differs from what the API shows, as a merge
// patch of pods/status with the pod's uid as precondition; and deletes a
// terminated pod (grace period 0, uid precondition) once its containers are gone.

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include <map>
#include <mutex>
#include <string>

#include "client/rest/rest_client.h"
#include "util/error.h"

namespace kcpp::kubelet::status {

namespace json = boost::json;

// Whether writing `next` over the API's `current` status changes anything the
// kubelet owns (isPodStatusByKubeletEqual, inverted).
bool statusDiffers(const json::object& current, const json::object& next);

// The merge patch turning `current` into `next`: next's fields, and null for
// reason/message/nominatedNodeName... that the kubelet no longer reports.
json::object statusPatch(const json::object& pod, const json::object& next);

class StatusManager {
 public:
  explicit StatusManager(client::RestClient& client) : client_(client) {}

  // Writes `status` for `pod` unless the API (or the last write) already shows it.
  // Returns true when a write happened. NotFound/Conflict (the pod is gone or was
  // replaced) are not errors: the pod worker learns it from the pod source.
  boost::asio::awaitable<Result<bool>> setPodStatus(const json::object& pod, const json::object& status);

  // Deletes a pod whose containers are gone (the last step of termination).
  boost::asio::awaitable<Result<void>> deletePod(const json::object& pod);

  void forget(const std::string& uid) { written_.erase(uid); }
  std::size_t writes() const { return writes_; }

 private:
  client::RestClient& client_;
  std::map<std::string, json::object> written_;  // by uid: the last status written
  std::size_t writes_ = 0;
};

}  // namespace kcpp::kubelet::status
