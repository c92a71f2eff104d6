#pragma once
// Upstream's AtomicWriter (pkg/volume/util/atomic_writer.go): the files of a
// configMap, secret, downwardAPI or projected volume are written into a fresh
// timestamped directory ("..2024_01_02_03_04_05.123456789"), then the "..data"
// symlink is swapped to it with one rename, so a container never sees half of an
// update. Each top-level name the user sees is a symlink through "..data"
// ("key" -> "..data/key"); names dropped from the payload disappear.

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>

#include "util/error.h"

namespace kcpp::kubelet::volumes {

struct FileProjection {
  std::string data;
  mode_t mode = 0644;
};
// Relative path ("a/b.txt") → contents and mode.
using Payload = std::map<std::string, FileProjection>;

inline constexpr const char* kDataDirName = "..data";

// Upstream's validatePath: relative, no ".." element, not starting with "..",
// at most 4096 bytes with elements of at most 255.
Result<void> validatePayloadPath(const std::string& path);

class AtomicWriter {
 public:
  explicit AtomicWriter(std::filesystem::path targetDir) : target_(std::move(targetDir)) {}
  // Makes the directory show exactly `payload`. True when anything changed; an
  // unchanged payload touches nothing (so resyncs are cheap).
  Result<bool> write(const Payload& payload);

 private:
  std::filesystem::path target_;
};

}  // namespace kcpp::kubelet::volumes
