#pragma once
// Reproducible tar archives (POSIX ustar), as image layers and OCI archives need
// them: entries in byte order of their names, owner and group numeric 0, no user
// or group names, one fixed mtime. The same tree always gives the same bytes,
// hence the same digest.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace kcpp::kubelet::images {

enum class TarEntryType { File, Directory, Symlink };

struct TarEntry {
  TarEntryType type = TarEntryType::File;
  std::string path;        // relative, normalised: "bin/sh" (no "./", no trailing "/")
  std::string content;     // File only
  std::string linkTarget;  // Symlink only
  std::uint32_t mode = 0644;
  std::int64_t mtime = 0;  // filled by readTar
};

// A file tree to be written as one tar. Parent directories that were not added
// explicitly are written with mode 0755.
class TarTree {
 public:
  // Paths may start with "/" (dropped); ".", ".." and empty components are
  // rejected (BadRequest), as is adding a different entry under a taken path.
  Result<void> addFile(std::string_view path, std::string content, std::uint32_t mode = 0644);
  Result<void> addDirectory(std::string_view path, std::uint32_t mode = 0755);
  Result<void> addSymlink(std::string_view path, std::string target);

  // The archive: every entry (and implicit parents) sorted by name, each with
  // `mtime`, uid/gid 0. BadRequest if a name or link target does not fit ustar.
  Result<std::string> write(std::int64_t mtime = 0) const;

  std::size_t size() const { return entries_.size(); }

 private:
  Result<void> add(TarEntry entry);
  std::map<std::string, TarEntry> entries_;  // ordered by name: the archive order
};

// The entries of a ustar/GNU tar archive (regular files, directories, symlinks;
// other types are listed with their header data only). BadRequest if `archive`
// is not a tar archive (bad checksum, truncated).
Result<std::vector<TarEntry>> readTar(std::string_view archive);

// True when `block` (at least 512 bytes) is a tar header with a valid checksum:
// how a file is recognised as a tar archive.
bool looksLikeTarHeader(std::string_view block);

// Normalises a path inside an archive ("/a//b/" -> "a/b"); BadRequest for ".",
// ".." or NUL.
Result<std::string> normaliseArchivePath(std::string_view path);

}  // namespace kcpp::kubelet::images
