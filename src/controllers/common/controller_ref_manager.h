#pragma once
// Adoption and release by controller reference, as upstream's
// ControllerRefManager (pkg/controller/controller_ref_manager.go): an owner
// adopts orphans its selector matches (unless either is being deleted) and
// releases the objects it controls that no longer match, each by a strategic
// merge patch of metadata.ownerReferences with a uid precondition.

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/selectors/label_selector.h"
#include "client/rest/rest_client.h"
#include "util/error.h"

namespace kcpp::controllers {

struct ClaimedKind {  // what is claimed, e.g. {"", "v1", "pods"}
  std::string group;
  std::string version;
  std::string resource;
};

struct ClaimOwner {
  const boost::json::object& object;
  std::string apiVersion;  // "apps/v1"
  std::string kind;        // "DaemonSet"
};

// Adopts and releases among `candidates` (objects of the owner's namespace);
// `member` narrows the match (e.g. a StatefulSet's "<set>-<ordinal>" names).
// Returns how many objects were adopted or released.
boost::asio::awaitable<Result<int>> adoptAndRelease(
    client::RestClient& client, const ClaimOwner& owner, const selectors::LabelSelector& selector,
    const std::vector<std::shared_ptr<const boost::json::object>>& candidates, const ClaimedKind& kind,
    const std::function<bool(const boost::json::object&)>& member = nullptr);

}  // namespace kcpp::controllers
