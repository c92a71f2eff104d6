#include "apiserver/registry/services/range_allocation_map.h"

#include <algorithm>

#include "util/error.h"

namespace kcpp::apiserver {

RangeAllocationMap::RangeAllocationMap(std::uint64_t size, std::uint64_t offset)
    : size_(size),
      offset_(std::min(offset, size)),
      used_(size, false),
      random_(std::random_device{}()) {}

bool RangeAllocationMap::allocate(std::uint64_t index) {
  KCPP_CHECK(index < size_, "allocation index out of range");
  std::lock_guard lock(mutex_);
  if (used_[index]) return false;
  used_[index] = true;
  ++taken_;
  return true;
}

// A random start in [begin, end), then the first free index at or after it,
// wrapping around within the band.
std::optional<std::uint64_t> RangeAllocationMap::takeFreeLocked(std::uint64_t begin,
                                                                std::uint64_t end) {
  if (begin >= end) return std::nullopt;
  std::uniform_int_distribution<std::uint64_t> pick(0, end - begin - 1);
  std::uint64_t start = pick(random_);
  for (std::uint64_t i = 0; i < end - begin; ++i) {
    std::uint64_t index = begin + (start + i) % (end - begin);
    if (!used_[index]) {
      used_[index] = true;
      ++taken_;
      return index;
    }
  }
  return std::nullopt;
}

std::optional<std::uint64_t> RangeAllocationMap::allocateNext() {
  std::lock_guard lock(mutex_);
  if (taken_ >= size_) return std::nullopt;
  if (auto upper = takeFreeLocked(offset_, size_)) return upper;
  return takeFreeLocked(0, offset_);
}

void RangeAllocationMap::release(std::uint64_t index) {
  if (index >= size_) return;
  std::lock_guard lock(mutex_);
  if (!used_[index]) return;
  used_[index] = false;
  --taken_;
}

bool RangeAllocationMap::has(std::uint64_t index) const {
  if (index >= size_) return false;
  std::lock_guard lock(mutex_);
  return used_[index];
}

std::uint64_t RangeAllocationMap::freeCount() const {
  std::lock_guard lock(mutex_);
  return size_ - taken_;
}

std::uint64_t rangeOffset(std::uint64_t size, std::uint64_t minimum, std::uint64_t maximum,
                          std::uint64_t step) {
  if (size <= minimum) return 0;
  return std::clamp(size / step, minimum, maximum);
}

}  // namespace kcpp::apiserver
