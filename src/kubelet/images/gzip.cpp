#include "kubelet/images/gzip.h"

#include <zlib.h>

#include <cerrno>
#include <climits>
#include <cstring>

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

struct GunzipFile::State {
  std::FILE* file = nullptr;
  std::string path;
  Inflater inflater;
  char in[65536];
  bool finished = false;   // the last member ended at the end of the file
  bool inMember = false;   // some of the current member has been read
  ~State() { if (file) std::fclose(file); }
};

GunzipFile::GunzipFile(std::unique_ptr<State> state) : state_(std::move(state)) {}
GunzipFile::~GunzipFile() = default;

Result<std::unique_ptr<GunzipFile>> GunzipFile::open(const std::filesystem::path& path) {
  auto state = std::make_unique<State>();
  state->path = path.string();
  if (!state->inflater.ok()) return makeError(Reason::InternalError, "zlib inflateInit2 failed");
  state->file = std::fopen(path.c_str(), "rb");
  if (!state->file) {
    Reason reason = errno == ENOENT ? Reason::NotFound : Reason::InternalError;
    return makeError(reason, "opening " + path.string() + ": " + std::strerror(errno));
  }
  return std::unique_ptr<GunzipFile>(new GunzipFile(std::move(state)));
}

Result<std::string> GunzipFile::read(std::size_t max) {
  State& st = *state_;
  z_stream& z = st.inflater.stream();
  std::string out(max, '\0');
  std::size_t produced = 0;
  while (produced < max && !st.finished) {
    if (z.avail_in == 0) {
      std::size_t n = std::fread(st.in, 1, sizeof st.in, st.file);
      if (n == 0 && std::ferror(st.file)) return makeError(Reason::InternalError, "reading " + st.path);
      if (n == 0) {
        if (st.inMember) return makeError(Reason::BadRequest, st.path + ": not valid gzip data: truncated stream");
        st.finished = true;  // the end of the file between members
        break;
      }
      z.next_in = reinterpret_cast<Bytef*>(st.in);
      z.avail_in = static_cast<uInt>(n);
    }
    z.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    z.avail_out = static_cast<uInt>(max - produced);
    st.inMember = true;
    int rc = inflate(&z, Z_NO_FLUSH);
    produced = max - z.avail_out;
    if (rc == Z_STREAM_END) {
      st.inMember = false;
      inflateReset(&z);  // another member may follow
      continue;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      std::string why = z.msg ? z.msg : "corrupt data";
      return makeError(Reason::BadRequest, st.path + ": not valid gzip data: " + why);
    }
  }
  out.resize(produced);
  return out;
}

}  // namespace kcpp::kubelet::images
