#include "kubelet/volumes/atomic_writer.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <fstream>
#include <optional>
#include <random>
#include <set>
#include <sstream>

namespace kcpp::kubelet::volumes {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxPathLength = 4096;
constexpr std::size_t kMaxFileNameLength = 255;
constexpr const char* kNewDataDirName = "..data_tmp";

Error ioError(const std::string& what, const fs::path& p, const std::error_code& ec) {
  return makeError(Reason::InternalError, what + " " + p.string() + ": " + ec.message());
}

std::string readFile(const fs::path& p, bool& ok) {
  std::ifstream in(p, std::ios::binary);
  ok = static_cast<bool>(in);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The first path element: the name the user sees at the volume's top level.
std::string topLevel(const std::string& path) { return path.substr(0, path.find('/')); }

// Every regular file under `dir`, relative to it.
std::set<std::string> filesUnder(const fs::path& dir) {
  std::set<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file(ec)) out.insert(fs::relative(it->path(), dir, ec).string());
  }
  return out;
}

bool sameAsOnDisk(const fs::path& tsDir, const Payload& payload) {
  if (filesUnder(tsDir) != [&] {
        std::set<std::string> names;
        for (const auto& [path, _] : payload) names.insert(path);
        return names;
      }()) {
    return false;
  }
  for (const auto& [path, file] : payload) {
    struct stat st {};
    fs::path p = tsDir / path;
    if (::stat(p.c_str(), &st) != 0 || (st.st_mode & 07777) != (file.mode & 07777)) return false;
    bool ok = false;
    if (readFile(p, ok) != file.data || !ok) return false;
  }
  return true;
}

// "..2006_01_02_15_04_05." + random digits, as os.MkdirTemp with upstream's pattern.
Result<fs::path> makeTimestampedDir(const fs::path& target) {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "..%Y_%m_%d_%H_%M_%S.", &tm);
  std::random_device rd;
  std::mt19937_64 rng(rd());
  for (int attempt = 0; attempt < 100; ++attempt) {
    fs::path dir = target / (stamp + std::to_string(rng() % 10000000000ULL));
    if (::mkdir(dir.c_str(), 0700) == 0) {
      ::chmod(dir.c_str(), 0755);
      return dir;
    }
    if (errno != EEXIST) {
      return ioError("create", dir, std::error_code(errno, std::generic_category()));
    }
  }
  return makeError(Reason::InternalError, "no free timestamped directory in " + target.string());
}

Result<void> writePayload(const fs::path& dir, const Payload& payload) {
  for (const auto& [path, file] : payload) {
    fs::path p = dir / path;
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    if (ec) return ioError("create directory", p.parent_path(), ec);
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(file.data.data(), static_cast<std::streamsize>(file.data.size()));
    out.close();
    if (!out) return makeError(Reason::InternalError, "write " + p.string() + " failed");
    // Explicit chmod: the umask must not change the mode the pod asked for.
    if (::chmod(p.c_str(), file.mode & 07777) != 0) {
      return ioError("chmod", p, std::error_code(errno, std::generic_category()));
    }
  }
  // Sub-directories as upstream: 0755 whatever the umask.
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_directory(ec)) ::chmod(it->path().c_str(), 0755);
  }
  return {};
}

Result<void> swapDataLink(const fs::path& target, const fs::path& tsDir) {
  fs::path tmp = target / kNewDataDirName;
  std::error_code ec;
  fs::remove(tmp, ec);
  fs::create_symlink(tsDir.filename(), tmp, ec);
  if (ec) return ioError("symlink", tmp, ec);
  // rename(2) over the old link: the atomic step.
  fs::rename(tmp, target / kDataDirName, ec);
  if (ec) return ioError("rename", tmp, ec);
  return {};
}

Result<void> linkUserVisiblePaths(const fs::path& target, const std::set<std::string>& names) {
  for (const auto& name : names) {
    fs::path link = target / name;
    fs::path want = fs::path(kDataDirName) / name;
    std::error_code ec;
    if (fs::is_symlink(fs::symlink_status(link, ec))) {
      if (fs::read_symlink(link, ec) == want) continue;
      fs::remove(link, ec);
    } else if (fs::exists(fs::symlink_status(link, ec))) {
      fs::remove_all(link, ec);
    }
    fs::create_symlink(want, link, ec);
    if (ec) return ioError("symlink", link, ec);
  }
  return {};
}

}  // namespace

Result<void> validatePayloadPath(const std::string& path) {
  if (path.empty()) return makeError(Reason::Invalid, "invalid path: must not be empty");
  if (path.size() > kMaxPathLength) {
    return makeError(Reason::Invalid, "invalid path: must be less than or equal to 4096 characters");
  }
  if (path.front() == '/') return makeError(Reason::Invalid, "invalid path: must be relative path: " + path);
  if (path.rfind("..", 0) == 0) return makeError(Reason::Invalid, "invalid path: must not start with '..': " + path);
  std::stringstream parts(path);
  for (std::string item; std::getline(parts, item, '/');) {
    if (item == "..") return makeError(Reason::Invalid, "invalid path: must not contain '..': " + path);
    if (item.size() > kMaxFileNameLength) {
      return makeError(Reason::Invalid, "invalid path: filenames must be less than or equal to 255 characters");
    }
  }
  return {};
}

Result<bool> AtomicWriter::write(const Payload& payload) {
  for (const auto& [path, _] : payload) {
    if (auto ok = validatePayloadPath(path); !ok) return std::move(ok).error();
  }
  std::error_code ec;
  fs::create_directories(target_, ec);
  if (ec) return ioError("create directory", target_, ec);

  std::set<std::string> newNames;
  for (const auto& [path, _] : payload) newNames.insert(topLevel(path));
  fs::path dataLink = target_ / kDataDirName;
  std::optional<fs::path> oldTsDir;
  if (fs::is_symlink(fs::symlink_status(dataLink, ec))) {
    oldTsDir = target_ / fs::read_symlink(dataLink, ec);
    if (ec || !fs::is_directory(*oldTsDir, ec)) oldTsDir.reset();
  }
  if (oldTsDir && sameAsOnDisk(*oldTsDir, payload)) {
    if (auto ok = linkUserVisiblePaths(target_, newNames); !ok) return std::move(ok).error();
    return false;
  }
  std::set<std::string> oldNames;
  if (oldTsDir) {
    for (const auto& entry : fs::directory_iterator(*oldTsDir, ec)) {
      oldNames.insert(entry.path().filename().string());
    }
  }

  auto tsDir = makeTimestampedDir(target_);
  if (!tsDir) return std::move(tsDir).error();
  if (auto ok = writePayload(*tsDir, payload); !ok) {
    fs::remove_all(*tsDir, ec);
    return std::move(ok).error();
  }
  if (auto ok = swapDataLink(target_, *tsDir); !ok) {
    fs::remove_all(*tsDir, ec);
    return std::move(ok).error();
  }
  if (auto ok = linkUserVisiblePaths(target_, newNames); !ok) return std::move(ok).error();
  for (const auto& name : oldNames) {
    if (!newNames.count(name)) fs::remove(target_ / name, ec);
  }
  if (oldTsDir) fs::remove_all(*oldTsDir, ec);
  return true;
}

}  // namespace kcpp::kubelet::volumes
