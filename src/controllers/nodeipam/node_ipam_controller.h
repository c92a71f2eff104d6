#pragma once
// The node IPAM controller with upstream's range allocator (pkg/controller/
// nodeipam, --allocate-node-cidrs, --cluster-cidr, --node-cidr-mask-size):
// every Node without spec.podCIDR gets the next free subnet of the cluster CIDR
// in spec.podCIDR and spec.podCIDRs. The allocations are rebuilt from the
// Nodes at start (so they survive restarts); a deleted Node frees its subnet.
// When the range is full the Node gets the event CIDRNotAvailable and is
// retried with backoff, so it takes the next subnet freed.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <map>
#include <set>
#include <string>

#include "client/informer/informer_factory.h"
#include "client/rest/rest_client.h"
#include "client/workqueue/work_queue.h"
#include "controllers/common/controller.h"
#include "controllers/common/event_recorder.h"
#include "controllers/nodeipam/cidr_set.h"

namespace kcpp::controllers {

namespace json = boost::json;

struct NodeIpamOptions {
  std::string clusterCidr = "10.42.0.0/16";  // k3s's default
  int nodeCidrMaskSize = 24;
  int workers = 1;  // one writer keeps allocation order simple (the set is shared anyway)
};

class NodeIpamController : public Controller {
 public:
  // Fails for an invalid --cluster-cidr / --node-cidr-mask-size.
  static Result<std::unique_ptr<NodeIpamController>> create(client::RestClient& client,
                                                            client::InformerFactory& informers,
                                                            boost::asio::any_io_executor executor,
                                                            NodeIpamOptions options = {});

  boost::asio::awaitable<void> run() override;
  void stop() override;

  // One node by name: allocate its CIDR if it has none.
  boost::asio::awaitable<Result<void>> sync(const std::string& name);

 private:
  NodeIpamController(client::RestClient& client, client::InformerFactory& informers,
                     boost::asio::any_io_executor executor, nodeipam::CidrSet cidrs);
  void occupyExisting();
  void nodeDeleted(const json::object& node);
  void recordStatusChange(const json::object& node, const std::string& status);

  client::RestClient& client_;
  client::InformerFactory& informers_;
  client::Informer& nodes_;
  boost::asio::any_io_executor executor_;
  nodeipam::CidrSet cidrs_;
  EventRecorder events_;
  client::WorkQueue queue_;
  // The CIDR each node holds (as written or as found), so a deletion frees it.
  std::map<std::string, std::string> allocated_;
  // Nodes whose patch succeeded, until the cache shows their CIDR (no second write).
  std::set<std::string> written_;
};

}  // namespace kcpp::controllers
