#pragma once
// PrioritySort: higher spec.priority first, then the pod that entered the
// queue earlier (upstream's queuesort.PrioritySort).
#include "scheduler/framework/interface.h"

namespace kcpp::scheduler::plugins {

class PrioritySort final : public QueueSortPlugin {
 public:
  static constexpr const char* kName = "PrioritySort";
  std::string_view name() const override { return kName; }
  bool less(const QueuedPodInfo& a, const QueuedPodInfo& b) const override;
};

}  // namespace kcpp::scheduler::plugins
