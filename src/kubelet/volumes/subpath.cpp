#include "kubelet/volumes/subpath.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <optional>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>
#include <vector>

#include <spdlog/spdlog.h>

namespace kcpp::kubelet::volumes {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> pathElements(const std::string& path) {
  std::vector<std::string> out;
  std::stringstream s(path);
  for (std::string item; std::getline(s, item, '/');) {
    if (!item.empty() && item != ".") out.push_back(item);
  }
  return out;
}

std::optional<std::string> realPath(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr) return std::nullopt;
  return std::string(buf);
}

// Upstream's PathWithinBase on already-resolved paths.
bool within(const std::string& path, const std::string& base) {
  if (path == base) return true;
  std::string prefix = base.back() == '/' ? base : base + "/";
  return path.rfind(prefix, 0) == 0;
}

// SafeMakeDir: creates the missing part of base/subPath one element at a time,
// checking after every step that what exists so far still resolves inside base.
Result<void> safeMakeDir(const std::string& base, const std::string& subPath, mode_t perm) {
  std::string current = base;
  for (const auto& element : pathElements(subPath)) {
    std::string next = current + "/" + element;
    struct stat st {};
    if (::lstat(next.c_str(), &st) != 0) {
      if (::mkdir(next.c_str(), perm) != 0 && errno != EEXIST) {
        return makeError(Reason::InternalError, "mkdir " + next + " failed");
      }
      ::chmod(next.c_str(), perm);
    }
    auto resolved = realPath(next);
    if (!resolved || !within(*resolved, base)) {
      return makeError(Reason::InternalError,
                       "path " + next + " is outside of allowed base " + base);
    }
    struct stat target {};
    if (::stat(resolved->c_str(), &target) != 0 || !S_ISDIR(target.st_mode)) {
      return makeError(Reason::InternalError, "path " + next + " is not a directory");
    }
    current = *resolved;
  }
  return {};
}

}  // namespace

Result<std::string> expandSubPathExpr(const std::string& expr,
                                      const std::map<std::string, std::string>& env) {
  std::string out;
  std::set<std::string> missing;
  for (std::size_t i = 0; i < expr.size(); ++i) {
    if (expr[i] != '$' || i + 1 >= expr.size()) {
      out += expr[i];
      continue;
    }
    char next = expr[i + 1];
    if (next == '$') {
      out += '$';
      ++i;
    } else if (next == '(') {
      auto close = expr.find(')', i + 2);
      if (close == std::string::npos) {
        out += expr.substr(i);  // unterminated: kept as written
        break;
      }
      std::string name = expr.substr(i + 2, close - i - 2);
      auto found = env.find(name);
      if (found == env.end() || found->second.empty()) missing.insert(name);
      else out += found->second;
      i = close;
    } else {
      out += '$';
    }
  }
  if (!missing.empty()) {
    std::string names;
    for (const auto& name : missing) names += (names.empty() ? "" : ", ") + name;
    return makeError(Reason::InternalError, "missing value for " + names);
  }
  return out;
}

Result<std::string> resolveSubPath(const std::string& volumePath, const std::string& subPath,
                                   const std::string& mountName, const std::string& containerName) {
  if (!subPath.empty() && subPath.front() == '/') {
    return makeError(Reason::InternalError,
                     "error SubPath `" + subPath + "` must not be an absolute path");
  }
  for (const auto& element : pathElements(subPath)) {
    if (element == "..") {
      return makeError(Reason::InternalError,
                       "unable to provision SubPath `" + subPath + "`: must not contain '..'");
    }
  }
  auto base = realPath(volumePath);
  if (!base) {
    return makeError(Reason::InternalError, "volume path " + volumePath + " does not exist");
  }
  std::string full = *base + "/" + subPath;
  struct stat st {};
  if (::lstat(full.c_str(), &st) != 0) {
    struct stat baseStat {};
    ::stat(base->c_str(), &baseStat);
    if (auto made = safeMakeDir(*base, subPath, baseStat.st_mode & 07777); !made) {
      // The details stay in the log: they would tell the user about the host.
      spdlog::warn("subPath {} of volumeMount {}: {}", subPath, mountName, made.error().message);
      return makeError(Reason::InternalError, "failed to create subPath directory for volumeMount \"" +
                                                  mountName + "\" of container \"" +
                                                  containerName + "\"");
    }
  }
  auto resolved = realPath(full);
  if (!resolved || !within(*resolved, *base)) {
    spdlog::warn("subPath {} of volumeMount {} resolves outside {}", subPath, mountName, *base);
    return makeError(Reason::InternalError, "failed to prepare subPath for volumeMount \"" +
                                                mountName + "\" of container \"" + containerName +
                                                "\"");
  }
  return *resolved;
}

}  // namespace kcpp::kubelet::volumes
