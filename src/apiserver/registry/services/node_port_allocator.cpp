#include "apiserver/registry/services/node_port_allocator.h"

#include <charconv>
#include <optional>

namespace kcpp::apiserver {

namespace {

// Upstream's portallocator.calculateRangeOffset: min(max(16, size/32), 128).
constexpr std::uint64_t kMinOffset = 16, kMaxOffset = 128, kOffsetStep = 32;

std::optional<std::int64_t> parseNumber(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

Result<NodePortAllocatorPtr> NodePortAllocator::create(std::string_view range) {
  std::optional<std::int64_t> base, size;
  if (auto dash = range.find('-'); dash != std::string_view::npos) {
    base = parseNumber(range.substr(0, dash));
    auto last = parseNumber(range.substr(dash + 1));
    if (base && last) size = *last - *base + 1;
  } else if (auto plus = range.find('+'); plus != std::string_view::npos) {
    base = parseNumber(range.substr(0, plus));
    size = parseNumber(range.substr(plus + 1));
  } else {
    base = parseNumber(range);
    size = 1;
  }
  if (!base || !size || *base < 1 || *size < 1 || *base + *size - 1 > 65535) {
    return makeError(Reason::BadRequest, "invalid service node port range \"" + std::string(range) +
                                             "\": expected <first>-<last> within 1-65535");
  }
  return std::make_unique<NodePortAllocator>(*base, *size);
}

NodePortAllocator::NodePortAllocator(std::int64_t base, std::int64_t size)
    : base_(base),
      size_(size),
      map_(static_cast<std::uint64_t>(size),
           rangeOffset(static_cast<std::uint64_t>(size), kMinOffset, kMaxOffset, kOffsetStep)) {}

std::string NodePortAllocator::range() const {
  return std::to_string(base_) + "-" + std::to_string(base_ + size_ - 1);
}

Result<void> NodePortAllocator::allocate(std::int64_t port) {
  if (!contains(port)) {
    return makeError(
        Reason::Invalid,
        "provided port is not in the valid range. The range of valid ports is " + range());
  }
  if (!map_.allocate(static_cast<std::uint64_t>(port - base_))) {
    return makeError(Reason::Invalid, "provided port is already allocated");
  }
  return {};
}

Result<std::int64_t> NodePortAllocator::allocateNext() {
  auto index = map_.allocateNext();
  if (!index) return makeError(Reason::InternalError, "range is full");
  return base_ + static_cast<std::int64_t>(*index);
}

void NodePortAllocator::release(std::int64_t port) {
  if (contains(port)) map_.release(static_cast<std::uint64_t>(port - base_));
}

bool NodePortAllocator::has(std::int64_t port) const {
  return contains(port) && map_.has(static_cast<std::uint64_t>(port - base_));
}

}  // namespace kcpp::apiserver
