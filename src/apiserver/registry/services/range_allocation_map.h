#pragma once
// RangeAllocationMap: which of `size` consecutive values are taken, as upstream's
// allocator.AllocationMapWithOffset (KEP-3070 / KEP-3668). Dynamic allocation
// takes a random free value from the upper band [offset, size) and falls back to
// the lower band [0, offset) only when the upper one is full, so values users ask
// for by number (the first service IP, low node ports) rarely collide with
// dynamic ones. Thread-safe.

#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <vector>

namespace kcpp::apiserver {

class RangeAllocationMap {
 public:
  RangeAllocationMap(std::uint64_t size, std::uint64_t offset);

  // Takes `index` (< size()); false if it was already taken.
  bool allocate(std::uint64_t index);
  // Takes a random free index; nullopt when every index is taken.
  std::optional<std::uint64_t> allocateNext();
  // Gives `index` back; releasing a free index does nothing.
  void release(std::uint64_t index);
  bool has(std::uint64_t index) const;
  std::uint64_t size() const { return size_; }
  std::uint64_t freeCount() const;

 private:
  std::optional<std::uint64_t> takeFreeLocked(std::uint64_t begin, std::uint64_t end);

  mutable std::mutex mutex_;
  std::uint64_t size_;
  std::uint64_t offset_;
  std::vector<bool> used_;
  std::uint64_t taken_ = 0;
  std::mt19937_64 random_;
};

// Upstream's band split: min(max(minimum, size / step), maximum), or 0 for
// ranges of at most `minimum` values.
std::uint64_t rangeOffset(std::uint64_t size, std::uint64_t minimum, std::uint64_t maximum,
                          std::uint64_t step);

}  // namespace kcpp::apiserver
