#include "scheduler/plugins/imagelocality/image_locality.h"

namespace kcpp::scheduler::plugins {

namespace {

constexpr std::int64_t kMb = 1024 * 1024;
constexpr std::int64_t kMinThreshold = 23 * kMb;
constexpr std::int64_t kMaxContainerThreshold = 1000 * kMb;

struct ImageState final : StateData {
  std::map<std::string, int> nodeCounts;  // the pod's images only
  int totalNodes = 0;
  std::shared_ptr<StateData> clone() const override { return std::make_shared<ImageState>(*this); }
};

}  // namespace

std::string normalizedImageName(const std::string& image) {
  auto colon = image.rfind(':');
  auto slash = image.rfind('/');
  bool hasTag = colon != std::string::npos && (slash == std::string::npos || colon > slash);
  if (hasTag || image.find('@') != std::string::npos) return image;
  return image + ":latest";
}

Status ImageLocality::preScore(CycleState& state, const PodInfo& pod, const std::vector<const NodeInfo*>&,
                               const Snapshot& snapshot) {
  auto s = std::make_shared<ImageState>();
  s->totalNodes = static_cast<int>(snapshot.nodes.size());
  for (const std::string& image : pod.images) {
    std::string name = normalizedImageName(image);
    auto it = snapshot.imageNodeCounts.find(name);
    s->nodeCounts[name] = it == snapshot.imageNodeCounts.end() ? 0 : it->second;
  }
  state.write(kName, std::move(s));
  return Status::success();
}

std::int64_t ImageLocality::score(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const {
  const ImageState* s = state.read<ImageState>(kName);
  if (!s || s->totalNodes == 0 || pod.images.empty()) return 0;
  std::int64_t sum = 0;
  for (const std::string& image : pod.images) {
    std::string name = normalizedImageName(image);
    auto size = node.imageSizes.find(name);
    if (size == node.imageSizes.end()) continue;
    auto count = s->nodeCounts.find(name);
    double spread = count == s->nodeCounts.end() ? 0 : static_cast<double>(count->second) / s->totalNodes;
    sum += static_cast<std::int64_t>(static_cast<double>(size->second) * spread);
  }
  std::int64_t maxThreshold = kMaxContainerThreshold * static_cast<std::int64_t>(pod.images.size());
  sum = std::clamp(sum, kMinThreshold, maxThreshold);
  return kMaxNodeScore * (sum - kMinThreshold) / (maxThreshold - kMinThreshold);
}

}  // namespace kcpp::scheduler::plugins
