#include "kubelet/images/gzip.h"

#include <zlib.h>

#include <climits>

namespace kcpp::kubelet::images {
namespace {

constexpr int kGzipWindowBits = 15 + 16;  // 32 KiB window, gzip wrapper
constexpr int kAutoWindowBits = 15 + 32;  // inflate: accept zlib or gzip

// zlib's z_stream with its end call tied to scope.
class Deflater {
 public:
  explicit Deflater(int level) {
    ok_ = deflateInit2(&z_, level, Z_DEFLATED, kGzipWindowBits, 9, Z_DEFAULT_STRATEGY) == Z_OK;
  }
  ~Deflater() { if (ok_) deflateEnd(&z_); }
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;
  bool ok() const { return ok_; }
  z_stream& stream() { return z_; }

 private:
  z_stream z_{};
  bool ok_ = false;
};

class Inflater {
 public:
  Inflater() { ok_ = inflateInit2(&z_, kAutoWindowBits) == Z_OK; }
  ~Inflater() { if (ok_) inflateEnd(&z_); }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
  bool ok() const { return ok_; }
  z_stream& stream() { return z_; }

 private:
  z_stream z_{};
  bool ok_ = false;
};

}  // namespace

bool looksGzipped(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

Result<std::string> gzipCompress(std::string_view bytes, int level) {
  if (level < 1 || level > 9) return makeError(Reason::BadRequest, "gzip level must be 1..9");
  if (bytes.size() > UINT_MAX) return makeError(Reason::RequestEntityTooLarge, "gzip input over 4 GiB");
  Deflater d(level);
  if (!d.ok()) return makeError(Reason::InternalError, "zlib deflateInit2 failed");
  z_stream& z = d.stream();
  // deflateInit2's gzip header has mtime 0, no name and OS "unix": deterministic.
  std::string out(deflateBound(&z, static_cast<uLong>(bytes.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) return makeError(Reason::InternalError, "zlib deflate failed");
  out.resize(z.total_out);
  return out;
}

Result<std::string> gzipDecompress(std::string_view bytes) {
  if (bytes.size() > UINT_MAX) return makeError(Reason::RequestEntityTooLarge, "gzip input over 4 GiB");
  Inflater inf;
  if (!inf.ok()) return makeError(Reason::InternalError, "zlib inflateInit2 failed");
  z_stream& z = inf.stream();
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  std::string out;
  char buf[65536];
  for (;;) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    int rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
    if (rc == Z_STREAM_END) return out;
    if (rc != Z_OK) {
      std::string why = z.msg ? z.msg : "truncated or corrupt data";
      return makeError(Reason::BadRequest, "not valid gzip data: " + why);
    }
    if (z.avail_in == 0 && z.avail_out != 0) {
      return makeError(Reason::BadRequest, "not valid gzip data: truncated stream");
    }
  }
}

}  // namespace kcpp::kubelet::images
