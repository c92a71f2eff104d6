#pragma once
// upstream's helper.DefaultNormalizeScore: scale scores so the highest is
// kMaxNodeScore; `reverse` turns "more is worse" counts into scores.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "scheduler/framework/interface.h"

namespace kcpp::scheduler {

inline void defaultNormalizeScore(std::vector<std::int64_t>& scores, bool reverse) {
  std::int64_t max = 0;
  for (std::int64_t s : scores) max = std::max(max, s);
  for (std::int64_t& s : scores) {
    if (max == 0) {
      s = reverse ? kMaxNodeScore : 0;
      continue;
    }
    s = kMaxNodeScore * s / max;
    if (reverse) s = kMaxNodeScore - s;
  }
}

}  // namespace kcpp::scheduler
