#include "kubelet/volumes/host_path.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace kcpp::kubelet::volumes {

namespace {

bool statPath(const std::string& path, struct stat& st) { return ::stat(path.c_str(), &st) == 0; }

Error typeCheckFailed(const std::string& path, const std::string& what) {
  return makeError(Reason::InternalError, "hostPath type check failed: " + path + " is not " + what);
}

Result<void> makeDir(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return makeError(Reason::InternalError, "mkdir " + path + ": " + ec.message());
  ::chmod(path.c_str(), 0755);
  return {};
}

// Upstream's MakeFile: os.OpenFile(path, O_CREATE, 0644); the parent must exist.
Result<void> makeFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_CREAT | O_RDONLY | O_CLOEXEC, 0644);
  if (fd < 0) {
    return makeError(Reason::InternalError, "open " + path + ": " + std::strerror(errno));
  }
  ::close(fd);
  return {};
}

}  // namespace

Result<void> checkHostPathType(const std::string& path, const std::string& type) {
  struct stat st {};
  bool exists = statPath(path, st);
  if (type.empty()) return {};
  if (type == "DirectoryOrCreate" || type == "Directory") {
    if (!exists && type == "DirectoryOrCreate") return makeDir(path);
    if (!exists || !S_ISDIR(st.st_mode)) return typeCheckFailed(path, "a directory");
    return {};
  }
  if (type == "FileOrCreate" || type == "File") {
    if (!exists && type == "FileOrCreate") return makeFile(path);
    if (!exists || !S_ISREG(st.st_mode)) return typeCheckFailed(path, "a file");
    return {};
  }
  if (type == "Socket") {
    if (!exists || !S_ISSOCK(st.st_mode)) return typeCheckFailed(path, "a socket file");
    return {};
  }
  if (type == "CharDevice") {
    if (!exists || !S_ISCHR(st.st_mode)) return typeCheckFailed(path, "a character device");
    return {};
  }
  if (type == "BlockDevice") {
    if (!exists || !S_ISBLK(st.st_mode)) return typeCheckFailed(path, "a block device");
    return {};
  }
  return makeError(Reason::InternalError, type + " is an invalid volume type");
}

}  // namespace kcpp::kubelet::volumes
