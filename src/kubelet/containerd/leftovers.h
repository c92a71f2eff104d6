#pragma once
// What containerd 1.6 writes outside its root/state whatever its config says
// (NODE-NOTES): shim sockets in /run/containerd/s, I/O fifo dirs in
// /run/containerd/fifo, and libcni's result cache in /var/lib/cni/results.
// Other containerd instances may share these directories, so cleanup is
// conservative: only entries that appeared while ours ran, and only dead ones
// (sockets nobody listens on, empty fifo dirs); then the directories themselves
// if they did not exist before and are empty. Entries of pods that keep running
// after kcpp stops (as upstream, pods outlive the kubelet) are still in use and stay.

#include <set>
#include <string>
#include <vector>

namespace kcpp::kubelet::containerd {

struct LeftoverDirs {
  std::string shimSockets = "/run/containerd/s";
  std::string fifos = "/run/containerd/fifo";
  std::string cniResults = "/var/lib/cni/results";
  // Parents removed when empty and created by us (deepest first).
  std::vector<std::string> parents = {"/run/containerd", "/var/lib/cni"};
};

class LeftoverTracker {
 public:
  explicit LeftoverTracker(LeftoverDirs dirs = {});
  // Remember what exists before containerd starts.
  void snapshot();
  // After containerd has stopped: remove what it left that nobody uses. Returns
  // the paths removed.
  std::vector<std::string> cleanup() const;

 private:
  LeftoverDirs dirs_;
  std::set<std::string> before_;  // entries and directories that existed at snapshot()
};

}  // namespace kcpp::kubelet::containerd
