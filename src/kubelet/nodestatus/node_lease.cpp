#include "kubelet/nodestatus/node_lease.h"

#include "api/meta/object.h"
#include "kubelet/nodestatus/node_objects.h"

namespace kcpp::kubelet::nodestatus {

namespace {

client::ResourcePath leasePath(const std::string& name = "") {
  return client::ResourcePath{"coordination.k8s.io", "v1", "leases", kNodeLeaseNamespace, name, "", ""};
}

}  // namespace

boost::asio::awaitable<Result<void>> renewNodeLease(client::RestClient& client, const std::string& nodeName,
                                                    const std::string& nodeUid, int leaseDurationSeconds,
                                                    std::string& resourceVersion) {
  json::object lease = leaseObject(nodeName, nodeUid, leaseDurationSeconds, std::chrono::system_clock::now());
  client::ResourcePath one = leasePath(nodeName);
  Result<json::object> written = makeError(Reason::NotFound, "");
  if (!resourceVersion.empty()) {
    lease["metadata"].as_object()["resourceVersion"] = resourceVersion;
    written = co_await client.update(one, lease);
  }
  if (!written && (written.error().reason == Reason::NotFound || written.error().reason == Reason::Conflict)) {
    // First renewal, or someone else wrote the lease: start from what is there.
    auto existing = co_await client.get(one);
    if (existing) {
      lease["metadata"].as_object()["resourceVersion"] = std::string(api::metaResourceVersion(*existing));
      written = co_await client.update(one, lease);
    } else if (existing.error().reason == Reason::NotFound) {
      lease["metadata"].as_object().erase("resourceVersion");
      client::ResourcePath collection = leasePath();
      written = co_await client.create(collection, lease);
    } else {
      co_return std::move(existing).error();
    }
  }
  if (!written) co_return std::move(written).error();
  resourceVersion = std::string(api::metaResourceVersion(*written));
  co_return Result<void>{};
}

}  // namespace kcpp::kubelet::nodestatus
