#include "controllers/nodeipam/cidr_set.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

namespace kcpp::controllers::nodeipam {

std::string Ipv4Cidr::str() const {
  in_addr addr{htonl(base)};
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &addr, buf, sizeof buf);
  return std::string(buf) + "/" + std::to_string(prefix);
}

Result<Ipv4Cidr> parseIpv4Cidr(const std::string& text) {
  auto invalid = [&text] { return makeError(Reason::BadRequest, "invalid CIDR address: " + text); };
  auto slash = text.find('/');
  if (slash == std::string::npos) return invalid();
  std::string ip = text.substr(0, slash);
  std::string bits = text.substr(slash + 1);
  int prefix = -1;
  auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
  if (bits.empty() || ec != std::errc() || end != bits.data() + bits.size() || prefix < 0 || prefix > 32) {
    return invalid();
  }
  in_addr addr{};
  if (inet_pton(AF_INET, ip.c_str(), &addr) != 1) return invalid();
  std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
  return Ipv4Cidr{ntohl(addr.s_addr) & mask, prefix};
}

Result<CidrSet> CidrSet::create(const std::string& clusterCidr, int nodeMaskSize) {
  auto cluster = parseIpv4Cidr(clusterCidr);
  if (!cluster) {
    return makeError(Reason::BadRequest,
                     "invalid --cluster-cidr \"" + clusterCidr + "\": " + cluster.error().message +
                         " (kcpp allocates IPv4 node CIDRs only)");
  }
  if (nodeMaskSize < cluster->prefix || nodeMaskSize > 32) {
    return makeError(Reason::BadRequest,
                     "mask size of cluster CIDR " + cluster->str() +
                         " must be less than or equal to --node-cidr-mask-size (" +
                         std::to_string(nodeMaskSize) + ")");
  }
  if (nodeMaskSize - cluster->prefix > 16) {
    return makeError(Reason::BadRequest,
                     "--node-cidr-mask-size " + std::to_string(nodeMaskSize) + " splits " + cluster->str() +
                         " into more than 65536 node CIDRs");
  }
  return CidrSet(*cluster, nodeMaskSize);
}

CidrSet::CidrSet(Ipv4Cidr cluster, int nodeMaskSize)
    : cluster_(cluster), nodeMaskSize_(nodeMaskSize), used_(std::size_t{1} << (nodeMaskSize - cluster.prefix)) {}

Result<std::string> CidrSet::allocateNext() {
  int n = capacity();
  for (int i = 0; i < n; ++i) {
    int candidate = (nextCandidate_ + i) % n;
    if (used_[candidate]) continue;
    used_[candidate] = true;
    ++allocated_;
    nextCandidate_ = (candidate + 1) % n;
    std::uint32_t step = std::uint32_t{1} << (32 - nodeMaskSize_);
    return Ipv4Cidr{cluster_.base + static_cast<std::uint32_t>(candidate) * step, nodeMaskSize_}.str();
  }
  return makeError(Reason::Conflict, "CIDR range is full");
}

Result<void> CidrSet::mark(const std::string& text, bool used) {
  auto cidr = parseIpv4Cidr(text);
  if (!cidr) return std::move(cidr).error();
  std::uint64_t begin = cidr->base, end = begin + cidr->size();  // [begin, end)
  std::uint64_t clusterBegin = cluster_.base, clusterEnd = clusterBegin + cluster_.size();
  if (end <= clusterBegin || begin >= clusterEnd) {
    return makeError(Reason::BadRequest,
                     "cidr " + cidr->str() + " is out the range of cluster cidr " + cluster_.str());
  }
  begin = std::max(begin, clusterBegin);
  end = std::min(end, clusterEnd);
  int shift = 32 - nodeMaskSize_;
  auto first = static_cast<std::size_t>((begin - clusterBegin) >> shift);
  auto last = static_cast<std::size_t>((end - 1 - clusterBegin) >> shift);
  for (std::size_t i = first; i <= last; ++i) {
    if (used_[i] != used) allocated_ += used ? 1 : -1;
    used_[i] = used;
  }
  return Result<void>{};
}

}  // namespace kcpp::controllers::nodeipam
