#include "scheduler/plugins/noderesources/fit.h"

#include <cmath>

#include "api/meta/object.h"

namespace kcpp::scheduler::plugins {

namespace json = boost::json;

namespace {

Error invalidArgs(const std::string& field, const std::string& detail) {
  return makeError(Reason::Invalid, "NodeResourcesFitArgs: " + field + ": " + detail);
}

// What the node would have requested of `resource` with the pod on it. cpu and
// memory use the non-zero defaults, as upstream's scorers do.
std::int64_t requestedWith(const PodInfo& pod, const NodeInfo& node, const std::string& resource, bool nonZero) {
  if (nonZero && (resource == "cpu" || resource == "memory")) {
    return node.nonZeroRequested.get(resource) + pod.nonZeroRequests.get(resource);
  }
  return node.requested.get(resource) + pod.requests.get(resource);
}

}  // namespace

Result<PluginPtr> NodeResourcesFit::create(const json::object& args) {
  Strategy strategy = Strategy::LeastAllocated;
  std::vector<ResourceWeight> resources{{"cpu", 1}, {"memory", 1}};
  if (const json::object* s = api::findObject(args, "scoringStrategy")) {
    std::string type(api::getString(*s, "type"));
    if (type == "MostAllocated") {
      strategy = Strategy::MostAllocated;
    } else if (!type.empty() && type != "LeastAllocated") {
      return invalidArgs("scoringStrategy.type",
                         "Unsupported value: \"" + type + "\": supported values: \"LeastAllocated\", \"MostAllocated\"");
    }
    if (const json::value* list = s->if_contains("resources"); list && list->is_array()) {
      resources.clear();
      for (const json::value& r : list->get_array()) {
        if (!r.is_object()) continue;
        const json::value* w = r.get_object().if_contains("weight");
        std::int64_t weight = w && w->is_int64() ? w->get_int64() : 1;
        if (weight < 1 || weight > 100) {
          return invalidArgs("scoringStrategy.resources[" + std::to_string(resources.size()) + "].weight",
                             "Invalid value: " + std::to_string(weight) + ": resource weight of " +
                                 std::string(api::getString(r.get_object(), "name")) + " should be in the range [1, 100]");
        }
        resources.push_back({std::string(api::getString(r.get_object(), "name")), weight});
      }
    }
  }
  return PluginPtr(std::make_shared<NodeResourcesFit>(strategy, std::move(resources)));
}

Insufficient insufficientResources(const PodInfo& pod, const NodeInfo& node) {
  Insufficient out;
  const Resources& want = pod.requests;
  const Resources& have = node.allocatable;
  const Resources& used = node.requested;
  if (static_cast<std::int64_t>(node.pods.size()) + 1 > have.allowedPods) out.reasons.push_back("Too many pods");
  auto check = [&](std::int64_t request, std::int64_t allocatable, std::int64_t requested, const std::string& name) {
    if (request <= 0 || request <= allocatable - requested) return;
    out.reasons.push_back("Insufficient " + name);
    if (request > allocatable) out.unresolvable = true;
  };
  check(want.milliCpu, have.milliCpu, used.milliCpu, "cpu");
  check(want.memory, have.memory, used.memory, "memory");
  check(want.ephemeralStorage, have.ephemeralStorage, used.ephemeralStorage, "ephemeral-storage");
  for (const auto& [name, amount] : want.scalar) check(amount, have.get(name), used.get(name), name);
  return out;
}

Status NodeResourcesFit::preFilter(CycleState&, const PodInfo&, const Snapshot&) { return Status::success(); }

Status NodeResourcesFit::filter(const CycleState&, const PodInfo& pod, const NodeInfo& node) const {
  Insufficient found = insufficientResources(pod, node);
  if (found.reasons.empty()) return Status::success();
  return {found.unresolvable ? Code::UnschedulableAndUnresolvable : Code::Unschedulable, std::move(found.reasons), {}};
}

std::int64_t NodeResourcesFit::score(const CycleState&, const PodInfo& pod, const NodeInfo& node) const {
  std::int64_t total = 0, weights = 0;
  for (const ResourceWeight& r : resources_) {
    std::int64_t capacity = node.allocatable.get(r.name);
    std::int64_t requested = requestedWith(pod, node, r.name, true);
    std::int64_t s = 0;
    if (capacity > 0 && requested <= capacity) {
      s = strategy_ == Strategy::LeastAllocated ? (capacity - requested) * kMaxNodeScore / capacity
                                                : requested * kMaxNodeScore / capacity;
    }
    total += s * r.weight;
    weights += r.weight;
  }
  return weights == 0 ? 0 : total / weights;
}

Status NodeResourcesBalancedAllocation::preScore(CycleState&, const PodInfo& pod, const std::vector<const NodeInfo*>&,
                                                 const Snapshot&) {
  // Best-effort pods change no balance: skip, as upstream.
  bool none = pod.requests.milliCpu == 0 && pod.requests.memory == 0;
  return none ? Status::skip() : Status::success();
}

std::int64_t NodeResourcesBalancedAllocation::score(const CycleState&, const PodInfo& pod, const NodeInfo& node) const {
  std::vector<double> fractions;
  for (const char* r : {"cpu", "memory"}) {
    std::int64_t capacity = node.allocatable.get(r);
    if (capacity <= 0) continue;
    double f = static_cast<double>(requestedWith(pod, node, r, false)) / static_cast<double>(capacity);
    fractions.push_back(std::min(f, 1.0));
  }
  double deviation = 0;
  if (fractions.size() == 2) {
    deviation = std::abs(fractions[0] - fractions[1]) / 2;
  }
  return static_cast<std::int64_t>((1 - deviation) * static_cast<double>(kMaxNodeScore));
}

}  // namespace kcpp::scheduler::plugins
