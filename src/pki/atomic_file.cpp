#include "pki/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace kcpp::pki {
namespace {

Error ioError(const std::string& what, const std::filesystem::path& path, int err) {
  return makeError(Reason::InternalError, what + " " + path.string() + ": " + std::strerror(err));
}

// Owns a file descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { if (fd_ >= 0) ::close(fd_); }
  int get() const { return fd_; }
  int release() { int fd = fd_; fd_ = -1; return fd; }

 private:
  int fd_;
};

Result<void> writeAll(int fd, std::string_view data, const std::filesystem::path& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ioError("writing", path, errno);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

// Writes and syncs the temporary file; the caller renames it into place.
Result<void> fillTemp(Fd& fd, const std::filesystem::path& tmp, std::string_view data, mode_t mode) {
  if (::fchmod(fd.get(), mode) != 0) return ioError("setting mode of", tmp, errno);
  if (auto r = writeAll(fd.get(), data, tmp); !r) return r;
  if (::fsync(fd.get()) != 0) return ioError("syncing", tmp, errno);
  if (::close(fd.release()) != 0) return ioError("closing", tmp, errno);
  return {};
}

}  // namespace

Result<std::string> readFile(const std::filesystem::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return makeError(Reason::NotFound, "file " + path.string() + " does not exist");
    return ioError("opening", path, errno);
  }
  std::string out;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ioError("reading", path, errno);
    if (n == 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

Result<void> writeFileAtomic(const std::filesystem::path& path, std::string_view data, mode_t mode) {
  std::string tmp = path.string() + ".tmp-XXXXXX";
  Fd fd(::mkstemp(tmp.data()));
  if (fd.get() < 0) return ioError("creating a temporary file for", path, errno);
  auto r = fillTemp(fd, tmp, data, mode);
  if (r && ::rename(tmp.c_str(), path.c_str()) != 0) r = ioError("renaming into", path, errno);
  if (!r) ::unlink(tmp.c_str());
  return r;
}

Result<void> ensureDirectory(const std::filesystem::path& dir, mode_t mode) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return makeError(Reason::InternalError, "creating directory " + dir.string() + ": " + ec.message());
  }
  if (::chmod(dir.c_str(), mode) != 0) return ioError("setting mode of", dir, errno);
  return {};
}

}  // namespace kcpp::pki
