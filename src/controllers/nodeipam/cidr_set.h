#pragma once
// CidrSet: the node subnets of a cluster CIDR and which are in use (upstream
// pkg/controller/nodeipam/ipam/cidrset). IPv4 only. Like upstream, allocation
// goes round from the subnet after the last one handed out, so a subnet just
// freed is reused only once the others have been tried.

#include <cstdint>
#include <string>
#include <vector>

#include "util/error.h"

namespace kcpp::controllers::nodeipam {

struct Ipv4Cidr {
  std::uint32_t base = 0;  // host bits cleared
  int prefix = 0;

  std::uint64_t size() const { return std::uint64_t{1} << (32 - prefix); }
  std::string str() const;
};

// "10.42.0.0/16"; host bits set are cleared, as net.ParseCIDR does.
Result<Ipv4Cidr> parseIpv4Cidr(const std::string& text);

class CidrSet {
 public:
  // Fails (BadRequest) for an unparsable CIDR or a node mask shorter than
  // the cluster's (or over 16 bits longer: 65536 subnets at most).
  static Result<CidrSet> create(const std::string& clusterCidr, int nodeMaskSize);

  // The next free subnet; Conflict ("CIDR range is full") when none is left.
  Result<std::string> allocateNext();
  // Marks the subnets a node's CIDR covers as used / free; fails when it lies
  // outside the cluster CIDR.
  Result<void> occupy(const std::string& cidr) { return mark(cidr, true); }
  Result<void> release(const std::string& cidr) { return mark(cidr, false); }

  int capacity() const { return static_cast<int>(used_.size()); }
  int allocated() const { return allocated_; }
  const Ipv4Cidr& cluster() const { return cluster_; }

 private:
  CidrSet(Ipv4Cidr cluster, int nodeMaskSize);
  Result<void> mark(const std::string& cidr, bool used);

  Ipv4Cidr cluster_;
  int nodeMaskSize_;
  std::vector<bool> used_;
  int allocated_ = 0;
  int nextCandidate_ = 0;
};

}  // namespace kcpp::controllers::nodeipam
