#pragma once
// ControllerExpectations: how many creates and deletes a controller has asked for
// and not yet seen come back through its informer, per controller key, as
// upstream's pkg/controller expectations. A controller syncs a key only once its
// expectations are met (or older than 5 minutes, in case an event was missed),
// so a slow watch does not make it create the same pods twice.

#include <chrono>
#include <map>
#include <set>
#include <string>

namespace kcpp::controllers {

class ControllerExpectations {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::minutes kTimeout{5};

  void expectCreations(const std::string& key, int count);
  // The pods (by "ns/name") about to be deleted.
  void expectDeletions(const std::string& key, const std::set<std::string>& podKeys);
  // Both at once (upstream's SetExpectations), for controllers that create and
  // delete in the same sync (DaemonSet).
  void expect(const std::string& key, int creations, const std::set<std::string>& deletions);
  void creationObserved(const std::string& key);
  void deletionObserved(const std::string& key, const std::string& podKey);
  // A create the controller asked for failed: it will never be observed.
  void creationFailed(const std::string& key) { creationObserved(key); }
  void deletionFailed(const std::string& key, const std::string& podKey) {
    deletionObserved(key, podKey);
  }
  bool satisfied(const std::string& key) const;
  void forget(const std::string& key) { entries_.erase(key); }

 private:
  struct Entry {
    int adds = 0;
    std::set<std::string> deletes;
    Clock::time_point setAt;
  };
  std::map<std::string, Entry> entries_;
};

}  // namespace kcpp::controllers
