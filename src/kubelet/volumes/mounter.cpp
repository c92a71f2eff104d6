// The system Mounter: mount(2)/umount2(2) and /proc/self/mountinfo.
#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "kubelet/volumes/volume_manager.h"

namespace kcpp::kubelet::volumes {

namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescapeMountPath(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 3), nullptr, 8));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool listedAsMountPoint(const std::string& path) {
  std::ifstream in("/proc/self/mountinfo");
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, mountPoint;
    fields >> id >> parent >> dev >> root >> mountPoint;
    if (unescapeMountPath(mountPoint) == path) return true;
  }
  return false;
}

}  // namespace

Mounter systemMounter() {
  Mounter m;
  m.mountTmpfs = [](const std::string& path, std::optional<std::int64_t> size) -> Result<void> {
    std::string options = size ? "size=" + std::to_string(*size) : "";
    if (::mount("tmpfs", path.c_str(), "tmpfs", 0, options.empty() ? nullptr : options.c_str()) != 0) {
      return makeError(Reason::InternalError, "mount -t tmpfs " +
                                                  (options.empty() ? "" : "-o " + options + " ") +
                                                  "tmpfs " + path + ": " + std::strerror(errno));
    }
    return {};
  };
  m.unmount = [](const std::string& path) -> Result<void> {
    if (::umount2(path.c_str(), 0) == 0) return {};
    // Busy (a container still holds it open): detach, the kernel frees it later.
    if (errno == EBUSY && ::umount2(path.c_str(), MNT_DETACH) == 0) return {};
    return makeError(Reason::InternalError, "unmount " + path + ": " + std::strerror(errno));
  };
  // mountinfo lists resolved paths: a data dir reached through a symlink must
  // still be recognised, or every sync would mount again.
  m.isMountPoint = [](const std::string& path) {
    std::error_code ec;
    auto resolved = std::filesystem::weakly_canonical(path, ec);
    return listedAsMountPoint(ec ? path : resolved.string());
  };
  return m;
}

}  // namespace kcpp::kubelet::volumes
