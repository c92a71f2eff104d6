#include "apiserver/registry/services/service_allocations.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "api/meta/object.h"
#include "api/meta/status.h"
#include "apiserver/registry/services/field_errors.h"
#include "apiserver/registry/services/service_fields.h"

namespace kcpp::apiserver {

using namespace service;

// What one allocation call has taken so far; given back unless kept (RAII undo).
class ServiceAllocations::Pending {
 public:
  Pending(ServiceIpAllocator& ips, NodePortAllocator& ports) : ips_(ips), ports_(ports) {}
  ~Pending() {
    if (kept_) return;
    for (const auto& ip : takenIps_) ips_.release(ip);
    for (auto port : takenPorts_) ports_.release(port);
  }
  Pending(const Pending&) = delete;
  Pending& operator=(const Pending&) = delete;

  void tookIp(std::string ip) { takenIps_.push_back(std::move(ip)); }
  void tookPort(std::int64_t port) { takenPorts_.push_back(port); }
  void keep() { kept_ = true; }

 private:
  ServiceIpAllocator& ips_;
  NodePortAllocator& ports_;
  std::vector<std::string> takenIps_;
  std::vector<std::int64_t> takenPorts_;
  bool kept_ = false;
};

namespace {

Error internalError(const std::string& why) {
  return makeError(Reason::InternalError, "Internal error occurred: " + why);
}

Error invalidService(const json::object& svc, Cause cause) {
  return api::invalid("Service", "", std::string(api::metaName(svc)), {std::move(cause)});
}

// The node port another entry of `ports` asks for the same service port.
std::int64_t requestedNodePort(const std::vector<json::object*>& ports, std::int64_t servicePort) {
  for (const json::object* p : ports) {
    if (intOf(*p, "port") == servicePort && intOf(*p, "nodePort") != 0)
      return intOf(*p, "nodePort");
  }
  return 0;
}

}  // namespace

ServiceAllocations::ServiceAllocations(ServiceIpAllocatorPtr ips, NodePortAllocatorPtr ports)
    : ips_(std::move(ips)), ports_(std::move(ports)), reservedIp_(ips_->firstAddress()) {
  KCPP_CHECK(ips_->allocate(reservedIp_).ok(), "the first service IP is free in a new allocator");
}

bool ServiceAllocations::holdsReservedIp(const json::object& svc, std::string_view ip) const {
  return ip == reservedIp_ && api::metaNamespace(svc) == "default" &&
         api::metaName(svc) == "kubernetes";
}

Result<void> ServiceAllocations::allocateClusterIP(json::object& svc, Pending& pending) {
  if (!needsClusterIP(svc) || isHeadless(svc)) return {};
  auto requested = clusterIPsOf(svc);
  std::string ip = requested.empty() ? "" : requested[0];
  if (ip.empty()) {
    auto next = ips_->allocateNext();
    if (!next) return internalError("failed to allocate a serviceIP: " + next.error().message);
    ip = *next;
    pending.tookIp(ip);
  } else if (!holdsReservedIp(svc, ip)) {
    if (auto taken = ips_->allocate(ip); !taken) {
      if (taken.error().reason != Reason::Invalid) return internalError(taken.error().message);
      return invalidService(
          svc, invalidValue("spec.clusterIPs", goStringSlice(requested),
                            "failed to allocate IP " + ip + ": " + taken.error().message));
    }
    pending.tookIp(ip);
  }
  json::object& spec = specOf(svc);
  spec["clusterIP"] = ip;
  if (requested.empty()) requested.push_back(ip);
  requested[0] = ip;
  spec["clusterIPs"] = toArray(requested);
  return {};
}

Result<void> ServiceAllocations::allocateRequestedPort(json::object& svc, std::size_t index,
                                                       std::int64_t port, Pending& pending) {
  if (auto taken = ports_->allocate(port); !taken) {
    return invalidService(svc, invalidInt("spec.ports[" + std::to_string(index) + "].nodePort",
                                          port, taken.error().message));
  }
  pending.tookPort(port);
  return {};
}

Result<std::int64_t> ServiceAllocations::allocateNextPort(Pending& pending) {
  auto next = ports_->allocateNext();
  if (!next) return internalError("failed to allocate a nodePort: " + next.error().message);
  pending.tookPort(*next);
  return *next;
}

// Upstream's initNodePorts: entries for the same service port (TCP and UDP of
// one port number) share one node port.
Result<void> ServiceAllocations::initNodePorts(json::object& svc, Pending& pending) {
  auto ports = portsOf(svc);
  bool allocateNew = shouldAllocateNodePorts(svc);
  std::map<std::int64_t, std::int64_t> byServicePort;
  for (std::size_t i = 0; i < ports.size(); ++i) {
    json::object& port = *ports[i];
    std::int64_t nodePort = intOf(port, "nodePort"), servicePort = intOf(port, "port");
    if (nodePort == 0 && !allocateNew) continue;
    auto known = byServicePort.find(servicePort);
    if (known == byServicePort.end()) {
      std::int64_t chosen = requestedNodePort(ports, servicePort);
      if (chosen != 0) {
        if (auto ok = allocateRequestedPort(svc, i, chosen, pending); !ok) return ok;
      } else {
        auto next = allocateNextPort(pending);
        if (!next) return std::move(next).error();
        chosen = *next;
      }
      port["nodePort"] = chosen;
      byServicePort[servicePort] = chosen;
    } else if (nodePort == 0) {
      port["nodePort"] = known->second;
    } else if (nodePort != known->second) {
      if (auto ok = allocateRequestedPort(svc, i, nodePort, pending); !ok) return ok;
    }
  }
  return {};
}

// Upstream's updateNodePorts: node ports the old Service held stay; new ones are
// reserved; unset ones are allocated.
Result<void> ServiceAllocations::updateNodePorts(json::object& svc, const json::object& old,
                                                 Pending& pending) {
  auto held = heldNodePorts(old);
  std::set<std::int64_t> takenNow;
  bool allocateNew = shouldAllocateNodePorts(svc);
  auto ports = portsOf(svc);
  for (std::size_t i = 0; i < ports.size(); ++i) {
    std::int64_t nodePort = intOf(*ports[i], "nodePort");
    if (nodePort == 0 && !allocateNew) continue;
    if (nodePort == 0) {
      auto next = allocateNextPort(pending);
      if (!next) return std::move(next).error();
      (*ports[i])["nodePort"] = *next;
    } else if (!held.count(nodePort) && takenNow.insert(nodePort).second) {
      if (auto ok = allocateRequestedPort(svc, i, nodePort, pending); !ok) return ok;
    }
  }
  return {};
}

Result<void> ServiceAllocations::allocateHealthCheckNodePort(json::object& svc, Pending& pending) {
  json::object& spec = specOf(svc);
  std::int64_t requested = intOf(spec, "healthCheckNodePort");
  if (requested == 0) {
    auto next = ports_->allocateNext();
    if (!next)
      return internalError("failed to allocate a HealthCheck NodePort 0: " + next.error().message);
    pending.tookPort(*next);
    spec["healthCheckNodePort"] = *next;
    return {};
  }
  if (auto taken = ports_->allocate(requested); !taken) {
    return internalError("failed to allocate requested HealthCheck NodePort " +
                         std::to_string(requested) + ": " + taken.error().message);
  }
  pending.tookPort(requested);
  return {};
}

Result<void> ServiceAllocations::allocateCreate(json::object& svc) {
  Pending pending(*ips_, *ports_);
  if (auto ok = allocateClusterIP(svc, pending); !ok) return ok;
  if (needsNodePort(svc)) {
    if (auto ok = initNodePorts(svc, pending); !ok) return ok;
  }
  if (needsHealthCheckNodePort(svc)) {
    if (auto ok = allocateHealthCheckNodePort(svc, pending); !ok) return ok;
  }
  pending.keep();
  return {};
}

Result<void> ServiceAllocations::allocateUpdate(json::object& svc, const json::object& old) {
  Pending pending(*ips_, *ports_);
  if (!needsClusterIP(old) && needsClusterIP(svc)) {
    if (auto ok = allocateClusterIP(svc, pending); !ok) return ok;
  }
  if (needsNodePort(svc)) {
    if (auto ok = updateNodePorts(svc, old, pending); !ok) return ok;
  }
  if (!needsHealthCheckNodePort(old) && needsHealthCheckNodePort(svc)) {
    if (auto ok = allocateHealthCheckNodePort(svc, pending); !ok) return ok;
  }
  pending.keep();
  return {};
}

void ServiceAllocations::release(const json::object& svc, const json::object* keep) {
  std::vector<std::string> keptIps = keep ? heldIPs(*keep) : std::vector<std::string>();
  for (const auto& ip : heldIPs(svc)) {
    if (ip == reservedIp_ || std::find(keptIps.begin(), keptIps.end(), ip) != keptIps.end())
      continue;
    ips_->release(ip);
  }
  std::set<std::int64_t> keptPorts = keep ? heldNodePorts(*keep) : std::set<std::int64_t>();
  for (auto port : heldNodePorts(svc)) {
    if (!keptPorts.count(port)) ports_->release(port);
  }
}

void ServiceAllocations::restore(const json::object& svc) {
  std::string name = std::string(api::metaNamespace(svc)) + "/" + std::string(api::metaName(svc));
  for (const auto& ip : heldIPs(svc)) {
    if (ip == reservedIp_) continue;
    if (auto taken = ips_->allocate(ip); !taken) {
      spdlog::warn("service {}: cluster IP {} not restored: {}", name, ip, taken.error().message);
    }
  }
  for (auto port : heldNodePorts(svc)) {
    if (auto taken = ports_->allocate(port); !taken) {
      spdlog::warn("service {}: node port {} not restored: {}", name, port, taken.error().message);
    }
  }
}

}  // namespace kcpp::apiserver
