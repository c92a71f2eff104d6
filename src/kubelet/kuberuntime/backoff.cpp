#include "kubelet/kuberuntime/backoff.h"

#include <algorithm>

namespace kcpp::kubelet::kuberuntime {

void Backoff::next(const std::string& key, Clock::time_point eventTime) {
  auto it = entries_.find(key);
  if (it == entries_.end() || expired(eventTime, it->second.lastUpdate)) {
    entries_[key] = Entry{initial_, eventTime};
    return;
  }
  it->second.backoff = std::min(it->second.backoff * 2, max_);
  it->second.lastUpdate = eventTime;
}

bool Backoff::inBackOffSince(const std::string& key, Clock::time_point eventTime, Clock::time_point now) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  if (expired(now, it->second.lastUpdate)) return false;
  return now - eventTime < it->second.backoff;
}

Backoff::Duration Backoff::get(const std::string& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? Duration{} : it->second.backoff;
}

void Backoff::collect(Clock::time_point now) {
  std::erase_if(entries_, [&](const auto& e) { return expired(now, e.second.lastUpdate); });
}

}  // namespace kcpp::kubelet::kuberuntime
