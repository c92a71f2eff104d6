#include "scheduler/plugins/queuesort/priority_sort.h"

namespace kcpp::scheduler::plugins {

bool PrioritySort::less(const QueuedPodInfo& a, const QueuedPodInfo& b) const {
  if (a.pod->priority != b.pod->priority) return a.pod->priority > b.pod->priority;
  return a.timestamp < b.timestamp;
}

}  // namespace kcpp::scheduler::plugins
