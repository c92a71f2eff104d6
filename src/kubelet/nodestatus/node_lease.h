#pragma once
// Renewing a node's Lease in kube-node-lease, as upstream's lease controller
// (component-helpers/apimachinery/lease/controller.go): update with the
// resourceVersion last written; on a conflict or a missing lease, start again
// from what the API holds (or create it).

#include <boost/asio/awaitable.hpp>

#include <string>

#include "client/rest/rest_client.h"
#include "util/error.h"

namespace kcpp::kubelet::nodestatus {

// `resourceVersion` is the lease's version after the last successful renewal
// (empty at first); it is updated on success.
boost::asio::awaitable<Result<void>> renewNodeLease(client::RestClient& client, const std::string& nodeName,
                                                    const std::string& nodeUid, int leaseDurationSeconds,
                                                    std::string& resourceVersion);

}  // namespace kcpp::kubelet::nodestatus
