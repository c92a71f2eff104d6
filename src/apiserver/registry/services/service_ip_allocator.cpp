#include "apiserver/registry/services/service_ip_allocator.h"

#include <arpa/inet.h>

#include <charconv>

namespace kcpp::apiserver {

namespace {

std::uint64_t cidrSize(int bits) { return std::uint64_t{1} << (32 - bits); }

std::uint32_t maskOf(int bits) { return bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits); }

// Upstream's ipallocator.calculateRangeOffset: min(max(16, size/16), 256).
constexpr std::uint64_t kMinOffset = 16, kMaxOffset = 256, kOffsetStep = 16;

}  // namespace

std::optional<std::uint32_t> parseIpv4(std::string_view text) {
  std::string copy(text);
  in_addr addr{};
  if (inet_pton(AF_INET, copy.c_str(), &addr) != 1) return std::nullopt;
  return ntohl(addr.s_addr);
}

std::string formatIpv4(std::uint32_t address) {
  in_addr addr{};
  addr.s_addr = htonl(address);
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &addr, buf, sizeof buf);
  return buf;
}

Result<ServiceIpAllocatorPtr> ServiceIpAllocator::create(std::string_view cidr) {
  auto slash = cidr.find('/');
  auto address = parseIpv4(cidr.substr(0, slash));
  int bits = -1;
  if (slash != std::string_view::npos) {
    std::string_view digits = cidr.substr(slash + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
    if (ec != std::errc() || end != digits.data() + digits.size()) bits = -1;
  }
  if (!address || bits < 1 || bits > 30) {
    return makeError(Reason::BadRequest,
                     "invalid service CIDR \"" + std::string(cidr) +
                         "\": an IPv4 network with a prefix length of /1 to /30 is required");
  }
  return std::make_unique<ServiceIpAllocator>(*address & maskOf(bits), bits);
}

ServiceIpAllocator::ServiceIpAllocator(std::uint32_t network, int bits)
    : network_(network),
      bits_(bits),
      cidr_(formatIpv4(network) + "/" + std::to_string(bits)),
      map_(cidrSize(bits) - 2, rangeOffset(cidrSize(bits), kMinOffset, kMaxOffset, kOffsetStep)) {}

bool ServiceIpAllocator::inCidr(std::uint32_t address) const {
  return (address & maskOf(bits_)) == network_;
}

std::string ServiceIpAllocator::firstAddress() const { return formatIpv4(network_ + 1); }

Result<void> ServiceIpAllocator::allocate(std::string_view ip) {
  auto address = parseIpv4(ip);
  if (!address) {
    return makeError(Reason::InternalError,
                     "failed to parse service IP \"" + std::string(ip) + "\"");
  }
  if (!inCidr(*address)) {
    return makeError(Reason::Invalid, "the provided network does not match the current range");
  }
  std::uint64_t offset = *address - network_;
  if (offset == 0 || offset > map_.size()) {
    return makeError(Reason::Invalid, "the provided IP (" + std::string(ip) +
                                          ") is not in the valid range. The range of valid IPs "
                                          "is " +
                                          cidr_);
  }
  if (!map_.allocate(offset - 1)) {
    return makeError(Reason::Invalid, "provided IP is already allocated");
  }
  return {};
}

Result<std::string> ServiceIpAllocator::allocateNext() {
  auto index = map_.allocateNext();
  if (!index) return makeError(Reason::InternalError, "range is full");
  return formatIpv4(network_ + 1 + static_cast<std::uint32_t>(*index));
}

void ServiceIpAllocator::release(std::string_view ip) {
  auto address = parseIpv4(ip);
  if (!address || !inCidr(*address)) return;
  std::uint64_t offset = *address - network_;
  if (offset == 0 || offset > map_.size()) return;
  map_.release(offset - 1);
}

bool ServiceIpAllocator::has(std::string_view ip) const {
  auto address = parseIpv4(ip);
  if (!address || !inCidr(*address)) return false;
  std::uint64_t offset = *address - network_;
  return offset != 0 && offset <= map_.size() && map_.has(offset - 1);
}

}  // namespace kcpp::apiserver
