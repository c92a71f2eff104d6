#pragma once
// ImageLocality: nodes that already have the pod's container images score
// higher, by image size scaled by how widely the image is spread (so that a
// rare image does not pull every pod to one node).
#include "scheduler/framework/interface.h"

namespace kcpp::scheduler::plugins {

class ImageLocality final : public PreScorePlugin, public ScorePlugin {
 public:
  static constexpr const char* kName = "ImageLocality";
  std::string_view name() const override { return kName; }
  Status preScore(CycleState& state, const PodInfo& pod, const std::vector<const NodeInfo*>& nodes,
                  const Snapshot& snapshot) override;
  std::int64_t score(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override;
};

// "nginx" → "nginx:latest"; names with a tag or digest stay.
std::string normalizedImageName(const std::string& image);

}  // namespace kcpp::scheduler::plugins
