#pragma once
// NodePortAllocator: node ports out of the --service-node-port-range, as
// upstream's portallocator: random dynamic allocation preferring the upper part
// of the range, upstream's error texts. Thread-safe; in memory (ServiceAllocations
// rebuilds it from the stored Services at start).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "apiserver/registry/services/range_allocation_map.h"
#include "util/error.h"

namespace kcpp::apiserver {

class NodePortAllocator;
using NodePortAllocatorPtr = std::unique_ptr<NodePortAllocator>;

class NodePortAllocator {
 public:
  // `range` as upstream's net.ParsePortRange: "30000-32767", "30000+2768" or
  // "30000"; BadRequest otherwise.
  static Result<NodePortAllocatorPtr> create(std::string_view range);
  // Ports base..base+size-1; create() checks input.
  NodePortAllocator(std::int64_t base, std::int64_t size);

  // Takes `port`. Invalid with upstream's text when it is outside the range
  // ("provided port is not in the valid range. The range of valid ports is
  // 30000-32767") or taken ("provided port is already allocated").
  Result<void> allocate(std::int64_t port);
  // Takes a random free port; InternalError "range is full" when none is left.
  Result<std::int64_t> allocateNext();
  // Gives `port` back; ports outside the range are ignored.
  void release(std::int64_t port);
  bool has(std::int64_t port) const;

  std::string range() const;  // "30000-32767"
  std::uint64_t freeCount() const { return map_.freeCount(); }

 private:
  bool contains(std::int64_t port) const { return port >= base_ && port < base_ + size_; }

  std::int64_t base_;
  std::int64_t size_;
  RangeAllocationMap map_;  // index 0 is base_
};

}  // namespace kcpp::apiserver
