#include "kubelet/containerd/leftovers.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <system_error>

namespace kcpp::kubelet::containerd {
namespace fs = std::filesystem;

namespace {

// A unix socket someone still listens on (a live shim).
bool socketInUse(const fs::path& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string s = path.string();
  if (s.size() >= sizeof addr.sun_path) return true;  // cannot tell: keep it
  std::memcpy(addr.sun_path, s.c_str(), s.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return true;
  bool live = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return live;
}

std::vector<fs::path> entries(const std::string& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) out.push_back(it->path());
  return out;
}

bool emptyDir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec) && fs::is_empty(p, ec);
}

}  // namespace

LeftoverTracker::LeftoverTracker(LeftoverDirs dirs) : dirs_(std::move(dirs)) {}

void LeftoverTracker::snapshot() {
  before_.clear();
  std::error_code ec;
  for (const std::string& dir : {dirs_.shimSockets, dirs_.fifos, dirs_.cniResults}) {
    if (fs::exists(dir, ec)) before_.insert(dir);
    for (const auto& e : entries(dir)) before_.insert(e.string());
  }
  for (const auto& parent : dirs_.parents) {
    if (fs::exists(parent, ec)) before_.insert(parent);
  }
}

std::vector<std::string> LeftoverTracker::cleanup() const {
  std::vector<std::string> removed;
  std::error_code ec;
  auto remove = [&](const fs::path& p) {
    if (fs::remove(p, ec)) removed.push_back(p.string());
  };
  for (const auto& e : entries(dirs_.shimSockets)) {
    if (!before_.count(e.string()) && fs::is_socket(e, ec) && !socketInUse(e)) remove(e);
  }
  for (const auto& e : entries(dirs_.fifos)) {
    if (!before_.count(e.string()) && emptyDir(e)) remove(e);
  }
  // libcni's cache: removed by CNI DEL when a pod goes; what stays belongs to
  // pods still running, so only the directory goes, and only when empty.
  std::vector<std::string> dirs = {dirs_.shimSockets, dirs_.fifos, dirs_.cniResults};
  dirs.insert(dirs.end(), dirs_.parents.begin(), dirs_.parents.end());
  for (const auto& dir : dirs) {
    if (!before_.count(dir) && emptyDir(dir)) remove(dir);
  }
  return removed;
}

}  // namespace kcpp::kubelet::containerd
