#include "kubelet/images/compressed_file.h"

#include <zstd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "kubelet/images/gzip.h"

namespace kcpp::kubelet::images {
namespace {

// zstd's streaming decompressor over a file.
class ZstdFile : public DecompressingReader {
 public:
  ZstdFile(std::FILE* file, std::string path) : file_(file), path_(std::move(path)), dctx_(ZSTD_createDCtx()) {}
  ~ZstdFile() override {
    ZSTD_freeDCtx(dctx_);
    std::fclose(file_);
  }
  ZstdFile(const ZstdFile&) = delete;
  ZstdFile& operator=(const ZstdFile&) = delete;

  Result<std::string> read(std::size_t max) override {
    KCPP_CHECK(dctx_ != nullptr, "ZSTD_createDCtx failed");
    std::string out(max, '\0');
    ZSTD_outBuffer output{out.data(), max, 0};
    while (output.pos < max && !finished_) {
      if (input_.pos == input_.size) {
        std::size_t n = std::fread(buf_, 1, sizeof buf_, file_);
        if (n == 0 && std::ferror(file_)) return makeError(Reason::InternalError, "reading " + path_);
        if (n == 0) {
          // The end of the file must also be the end of a frame.
          if (frameOpen_) return makeError(Reason::BadRequest, path_ + ": not valid zstd data: truncated stream");
          finished_ = true;
          break;
        }
        input_ = ZSTD_inBuffer{buf_, n, 0};
      }
      std::size_t rc = ZSTD_decompressStream(dctx_, &output, &input_);
      if (ZSTD_isError(rc)) {
        return makeError(Reason::BadRequest, path_ + ": not valid zstd data: " + ZSTD_getErrorName(rc));
      }
      frameOpen_ = rc != 0;  // 0: a frame just ended (another may follow)
    }
    out.resize(output.pos);
    return out;
  }

 private:
  std::FILE* file_;
  std::string path_;
  ZSTD_DCtx* dctx_;
  char buf_[65536];
  ZSTD_inBuffer input_{buf_, 0, 0};
  bool frameOpen_ = false;
  bool finished_ = false;
};

}  // namespace

Compression detectCompression(std::string_view head) {
  auto byte = [&](std::size_t i) { return i < head.size() ? static_cast<unsigned char>(head[i]) : 0u; };
  if (byte(0) == 0x1f && byte(1) == 0x8b) return Compression::Gzip;
  if (byte(0) == 0x28 && byte(1) == 0xb5 && byte(2) == 0x2f && byte(3) == 0xfd) return Compression::Zstd;
  return Compression::None;
}

Result<std::unique_ptr<DecompressingReader>> openDecompressing(const std::filesystem::path& path,
                                                              Compression compression) {
  KCPP_CHECK(compression != Compression::None, "openDecompressing of an uncompressed file");
  if (compression == Compression::Gzip) {
    auto gz = GunzipFile::open(path);
    if (!gz) return std::move(gz).error();
    return std::unique_ptr<DecompressingReader>(std::move(*gz));
  }
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) {
    Reason reason = errno == ENOENT ? Reason::NotFound : Reason::InternalError;
    return makeError(reason, "opening " + path.string() + ": " + std::strerror(errno));
  }
  return std::unique_ptr<DecompressingReader>(std::make_unique<ZstdFile>(file, path.string()));
}

}  // namespace kcpp::kubelet::images
