#pragma once
// ServiceIpAllocator: cluster IPs out of the --service-cidr (IPv4), as upstream's
// ipallocator: the network and broadcast addresses are never handed out, dynamic
// allocation is random and prefers the upper part of the range (the first
// addresses stay free for static requests such as the `kubernetes` Service's).
// Errors carry upstream v1.33's texts (its MetaAllocator over ServiceCIDRs).
// Thread-safe. The allocation state is in memory; ServiceAllocations rebuilds
// it from the stored Services at start.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "apiserver/registry/services/range_allocation_map.h"
#include "util/error.h"

namespace kcpp::apiserver {

class ServiceIpAllocator;
using ServiceIpAllocatorPtr = std::unique_ptr<ServiceIpAllocator>;

class ServiceIpAllocator {
 public:
  // `cidr` like "10.43.0.0/16"; BadRequest if it is not an IPv4 CIDR of /1../30.
  static Result<ServiceIpAllocatorPtr> create(std::string_view cidr);
  // `network` already masked to `bits` (1..30); create() checks input.
  ServiceIpAllocator(std::uint32_t network, int bits);

  // Takes `ip`. Invalid with upstream's text when it is outside the CIDR ("the
  // provided network does not match the current range"), the network or broadcast
  // address ("the provided IP (…) is not in the valid range. The range of valid
  // IPs is …") or taken ("provided IP is already allocated").
  Result<void> allocate(std::string_view ip);
  // Takes a random free IP; InternalError "range is full" when none is left.
  Result<std::string> allocateNext();
  // Gives `ip` back; IPs outside the range are ignored, as upstream.
  void release(std::string_view ip);
  bool has(std::string_view ip) const;

  const std::string& cidr() const { return cidr_; }  // canonical, e.g. "10.43.0.0/16"
  std::string firstAddress() const;                  // e.g. "10.43.0.1"
  std::uint64_t freeCount() const { return map_.freeCount(); }

 private:
  bool inCidr(std::uint32_t address) const;

  std::uint32_t network_;
  int bits_;
  std::string cidr_;
  RangeAllocationMap map_;  // index 0 is network + 1
};

// IPv4 text <-> host-order integer; nullopt for anything but a dotted quad.
std::optional<std::uint32_t> parseIpv4(std::string_view text);
std::string formatIpv4(std::uint32_t address);

}  // namespace kcpp::apiserver
