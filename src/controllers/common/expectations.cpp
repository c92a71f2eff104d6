#include "controllers/common/expectations.h"

namespace kcpp::controllers {

void ControllerExpectations::expectCreations(const std::string& key, int count) {
  Entry& e = entries_[key];
  e.adds = count;
  e.deletes.clear();
  e.setAt = Clock::now();
}

void ControllerExpectations::expectDeletions(const std::string& key,
                                             const std::set<std::string>& podKeys) {
  Entry& e = entries_[key];
  e.adds = 0;
  e.deletes = podKeys;
  e.setAt = Clock::now();
}

void ControllerExpectations::expect(const std::string& key, int creations,
                                    const std::set<std::string>& deletions) {
  Entry& e = entries_[key];
  e.adds = creations;
  e.deletes = deletions;
  e.setAt = Clock::now();
}

void ControllerExpectations::creationObserved(const std::string& key) {
  auto it = entries_.find(key);
  if (it != entries_.end() && it->second.adds > 0) --it->second.adds;
}

void ControllerExpectations::deletionObserved(const std::string& key, const std::string& podKey) {
  auto it = entries_.find(key);
  if (it != entries_.end()) it->second.deletes.erase(podKey);
}

bool ControllerExpectations::satisfied(const std::string& key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) return true;  // nothing asked for (or a new controller)
  const Entry& e = it->second;
  if (e.adds <= 0 && e.deletes.empty()) return true;
  return Clock::now() - e.setAt > kTimeout;
}

}  // namespace kcpp::controllers
