#pragma once
// gzip (RFC 1952) through zlib, with a header that carries no timestamp or file
// name, so that the same input always compresses to the same bytes (image layers
// must be reproducible: their digest is their identity).

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "kubelet/images/compressed_file.h"
#include "util/error.h"

namespace kcpp::kubelet::images {

// Level 1..9 (zlib's); 6 by default: level 9 is ~7x slower for <1% smaller layers.
Result<std::string> gzipCompress(std::string_view bytes, int level = 6);

// The whole decompressed stream; BadRequest if `bytes` is not complete gzip data.
Result<std::string> gzipDecompress(std::string_view bytes);

// True when `bytes` starts with the gzip magic number.
bool looksGzipped(std::string_view bytes);

// Decompresses a gzip file piece by piece (concatenated members too), so that
// a large compressed archive is never held in memory whole.
class GunzipFile : public DecompressingReader {
 public:
  // NotFound / InternalError if the file cannot be opened.
  static Result<std::unique_ptr<GunzipFile>> open(const std::filesystem::path& path);
  ~GunzipFile() override;
  GunzipFile(const GunzipFile&) = delete;
  GunzipFile& operator=(const GunzipFile&) = delete;

  Result<std::string> read(std::size_t max = 1 << 20) override;

 private:
  struct State;
  explicit GunzipFile(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace kcpp::kubelet::images
