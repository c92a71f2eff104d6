#include "controllers/nodeipam/node_ipam_controller.h"

#include <spdlog/spdlog.h>

#include "api/meta/object.h"

namespace kcpp::controllers {

namespace asio = boost::asio;
using client::ObjectPtr;

namespace {

// Names for logs; they outlive the workers that hold references to them.
const std::string kNameNodeIpam = "nodeipam";

// The node's first pod CIDR: spec.podCIDRs[0], else spec.podCIDR.
std::string podCidrOf(const json::object& node) {
  const json::value* list = api::findPath(node, "spec.podCIDRs");
  if (list && list->is_array() && !list->as_array().empty() && list->as_array()[0].is_string()) {
    return std::string(list->as_array()[0].get_string());
  }
  const json::value* single = api::findPath(node, "spec.podCIDR");
  return single && single->is_string() ? std::string(single->get_string()) : "";
}

}  // namespace

Result<std::unique_ptr<NodeIpamController>> NodeIpamController::create(client::RestClient& client,
                                                                       client::InformerFactory& informers,
                                                                       asio::any_io_executor executor,
                                                                       NodeIpamOptions options) {
  auto cidrs = nodeipam::CidrSet::create(options.clusterCidr, options.nodeCidrMaskSize);
  if (!cidrs) return std::move(cidrs).error();
  return std::unique_ptr<NodeIpamController>(
      new NodeIpamController(client, informers, std::move(executor), std::move(*cidrs)));
}

NodeIpamController::NodeIpamController(client::RestClient& client, client::InformerFactory& informers,
                                       asio::any_io_executor executor, nodeipam::CidrSet cidrs)
    : client_(client),
      informers_(informers),
      nodes_(informers.forResource("", "v1", "nodes")),
      executor_(executor),
      cidrs_(std::move(cidrs)),
      // Upstream's range allocator records as "cidrAllocator".
      events_(client, executor, "cidrAllocator"),
      queue_(executor) {
  auto enqueue = [this](const ObjectPtr& node) { queue_.add(std::string(api::metaName(*node))); };
  nodes_.addHandlers(client::EventHandlers{
      enqueue, [enqueue](const ObjectPtr&, const ObjectPtr& node) { enqueue(node); },
      [this](const ObjectPtr& node) { nodeDeleted(*node); }});
}

void NodeIpamController::stop() { queue_.shutDown(); }

asio::awaitable<void> NodeIpamController::run() {
  if (!co_await waitForCaches(informers_, executor_, kNameNodeIpam)) co_return;
  occupyExisting();
  spdlog::info("nodeipam: node CIDRs from {} ({} of {} in use)", cidrs_.cluster().str(),
               cidrs_.allocated(), cidrs_.capacity());
  co_await runWorkers(queue_, 1, [this](const std::string& name) { return sync(name); }, kNameNodeIpam);
}

void NodeIpamController::occupyExisting() {
  // Before any allocation: what nodes already hold is taken (upstream's
  // NewCIDRRangeAllocator marks every existing node's CIDRs as occupied).
  for (const ObjectPtr& node : nodes_.list()) {
    std::string cidr = podCidrOf(*node);
    if (cidr.empty()) continue;
    std::string name(api::metaName(*node));
    if (auto ok = cidrs_.occupy(cidr); !ok) {
      spdlog::warn("nodeipam: node {} has CIDR {}: {}", name, cidr, ok.error().message);
      continue;
    }
    allocated_[name] = cidr;
  }
}

void NodeIpamController::nodeDeleted(const json::object& node) {
  std::string name(api::metaName(node));
  auto it = allocated_.find(name);
  written_.erase(name);
  if (it == allocated_.end()) return;
  if (auto ok = cidrs_.release(it->second); !ok) {
    spdlog::warn("nodeipam: releasing {} of node {}: {}", it->second, name, ok.error().message);
  }
  allocated_.erase(it);
  // Nodes waiting for a subnet may take this one now rather than at their next backoff.
  for (const ObjectPtr& waiting : nodes_.list()) {
    std::string other(api::metaName(*waiting));
    if (podCidrOf(*waiting).empty() && !allocated_.count(other)) queue_.add(other);
  }
}

asio::awaitable<Result<void>> NodeIpamController::sync(const std::string& name) {
  ObjectPtr node = nodes_.get(name);
  if (!node) co_return Result<void>{};
  std::string existing = podCidrOf(*node);
  if (!existing.empty()) {
    written_.erase(name);
    if (allocated_.count(name)) co_return Result<void>{};
    if (auto ok = cidrs_.occupy(existing); !ok) {
      spdlog::warn("nodeipam: node {} has CIDR {}: {}", name, existing, ok.error().message);
      co_return Result<void>{};  // outside our range: not ours to manage
    }
    allocated_[name] = existing;
    co_return Result<void>{};
  }
  // Taken earlier but the cache does not show it yet (or the write failed): the same one again.
  std::string cidr;
  if (auto it = allocated_.find(name); it != allocated_.end()) {
    if (written_.count(name)) co_return Result<void>{};  // the cache has yet to show it
    cidr = it->second;
  } else {
    auto next = cidrs_.allocateNext();
    if (!next) {
      // Once per run of failures: the retries back off, and a deletion requeues.
      if (queue_.numRequeues(name) == 0) recordStatusChange(*node, "CIDRNotAvailable");
      co_return makeError(Reason::Conflict, "node " + name + ": failed to allocate cidr from cluster cidr " +
                                                cidrs_.cluster().str() + ": " + next.error().message);
    }
    cidr = *next;
    allocated_[name] = cidr;
  }
  json::object patch{{"spec", json::object{{"podCIDR", cidr}, {"podCIDRs", json::array{json::value(cidr)}}}}};
  client::ResourcePath path{"", "v1", "nodes", "", name, "", ""};
  const std::string contentType = "application/strategic-merge-patch+json";
  std::string body = json::serialize(patch);
  auto patched = co_await client_.patch(path, contentType, body);
  if (!patched) {
    // Freed again: the node is gone, or the next attempt allocates afresh.
    (void)cidrs_.release(cidr);
    allocated_.erase(name);
    if (patched.error().reason == Reason::NotFound) co_return Result<void>{};
    recordStatusChange(*node, "CIDRAssignmentFailed");
    co_return std::move(patched).error();
  }
  written_.insert(name);
  spdlog::info("nodeipam: node {} gets pod CIDR {}", name, cidr);
  co_return Result<void>{};
}

void NodeIpamController::recordStatusChange(const json::object& node, const std::string& status) {
  // Upstream's RecordNodeStatusChange: a Normal event on a Node reference whose
  // uid is the node's name (what kubectl describe node looks up).
  std::string name(api::metaName(node));
  json::object ref{{"apiVersion", "v1"}, {"kind", "Node"}};
  ref["metadata"] = json::object{{"name", name}, {"uid", name}};
  events_.record(ref, "Normal", status, "Node " + name + " status is now: " + status);
}

}  // namespace kcpp::controllers
