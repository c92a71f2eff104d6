#pragma once
// Small file helpers for credentials: whole-file reads, and writes that replace the
// target atomically (temp file in the same directory, fsync, rename) with the final
// mode set before any byte is written, so a key is never briefly world-readable.

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "util/error.h"

namespace kcpp::pki {

inline constexpr mode_t kPrivateFileMode = 0600;  // keys, kubeconfigs
inline constexpr mode_t kPublicFileMode = 0644;   // certificates

// The whole file; NotFound if it does not exist, InternalError if unreadable.
Result<std::string> readFile(const std::filesystem::path& path);

// Replaces `path` with `data`, leaving it with exactly `mode`.
Result<void> writeFileAtomic(const std::filesystem::path& path, std::string_view data, mode_t mode);

// Creates `dir` (and parents) if missing and sets its mode.
Result<void> ensureDirectory(const std::filesystem::path& dir, mode_t mode);

}  // namespace kcpp::pki
