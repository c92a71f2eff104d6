#pragma once
// Test helper: a fresh directory under $TMPDIR, removed with everything in it.

#include <stdlib.h>

#include <filesystem>
#include <string>

#include "util/error.h"

namespace kcpp::pki {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "kcpp-pki-XXXXXX").string();
    KCPP_CHECK(::mkdtemp(pattern.data()) != nullptr, "mkdtemp failed");
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace kcpp::pki
