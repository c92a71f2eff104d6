#pragma once
// Compressed image archives (gzip, zstd) read as a stream of decompressed
// pieces, so that a large archive never sits in memory whole.

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "util/error.h"

namespace kcpp::kubelet::images {

enum class Compression { None, Gzip, Zstd };

// From a file's first bytes (magic numbers).
Compression detectCompression(std::string_view head);

class DecompressingReader {
 public:
  virtual ~DecompressingReader() = default;
  // Up to `max` decompressed bytes; empty at the end. BadRequest for corrupt
  // or truncated data.
  virtual Result<std::string> read(std::size_t max = 1 << 20) = 0;
};

// NotFound / InternalError if the file cannot be opened; `compression` must
// not be None.
Result<std::unique_ptr<DecompressingReader>> openDecompressing(const std::filesystem::path& path,
                                                              Compression compression);

}  // namespace kcpp::kubelet::images
