#pragma once
// ServiceAllocations: the cluster IPs and node ports Services hold, as upstream's
// service REST allocators (pkg/registry/core/service/storage/alloc.go): what a
// create takes, what an update adds or gives back, what a delete frees.
//
// Persistence: the allocation state lives in memory and is rebuilt at start from
// the stored Services (restore()), which are the one durable record of who holds
// what. Upstream keeps a second record (a bitmap object, or one IPAddress object
// per IP) and runs repair controllers to fix the two when they drift; rebuilding
// from the Services cannot drift and cannot leak an IP across a crash between
// allocation and write. (A store shared by several apiservers would need a
// record in the store; kcpp runs one apiserver per store.)
//
// The first IP of the range belongs to the `kubernetes` Service in `default`
// for good: no other Service can take it, and it is never released.

#include <boost/json.hpp>

#include "apiserver/registry/services/node_port_allocator.h"
#include "apiserver/registry/services/service_ip_allocator.h"
#include "util/error.h"

namespace kcpp::apiserver {

namespace json = boost::json;

class ServiceAllocations {
 public:
  ServiceAllocations(ServiceIpAllocatorPtr ips, NodePortAllocatorPtr ports);

  // Fills in and reserves the cluster IP, node ports and health check node port
  // a new Service needs; requested values are honoured or refused with
  // upstream's 422. On error nothing stays reserved.
  Result<void> allocateCreate(json::object& svc);
  // Reserves what the updated `svc` needs that `old` does not hold (a type
  // change to NodePort, a new node port), filling unset values. On error
  // nothing stays reserved.
  Result<void> allocateUpdate(json::object& svc, const json::object& old);
  // Frees what `svc` holds and `keep` does not (`keep` null: all of it).
  void release(const json::object& svc, const json::object* keep);
  // Marks what a stored Service holds as taken (rebuilding the state at start).
  void restore(const json::object& svc);

  const ServiceIpAllocator& ips() const { return *ips_; }
  const NodePortAllocator& ports() const { return *ports_; }

 private:
  class Pending;
  Result<void> allocateClusterIP(json::object& svc, Pending& pending);
  Result<void> initNodePorts(json::object& svc, Pending& pending);
  Result<void> updateNodePorts(json::object& svc, const json::object& old, Pending& pending);
  Result<void> allocateHealthCheckNodePort(json::object& svc, Pending& pending);
  Result<void> allocateRequestedPort(json::object& svc, std::size_t index, std::int64_t port,
                                     Pending& pending);
  Result<std::int64_t> allocateNextPort(Pending& pending);
  bool holdsReservedIp(const json::object& svc, std::string_view ip) const;

  ServiceIpAllocatorPtr ips_;
  NodePortAllocatorPtr ports_;
  std::string reservedIp_;
};
using ServiceAllocationsPtr = std::unique_ptr<ServiceAllocations>;

}  // namespace kcpp::apiserver
