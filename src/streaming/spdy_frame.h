#pragma once
// SPDY/3.1 framing (draft-mbelshe-httpbis-spdy-00 as spdystream speaks it, which
// is what kubectl, the kubelet and containerd's stream server use): control and
// data frames, and the name/value header blocks compressed by one zlib stream
// per direction primed with SPDY/3's dictionary.

#include <zlib.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/error.h"

namespace kcpp::streaming::spdy {

inline constexpr std::uint16_t kVersion = 3;

enum class FrameType : std::uint16_t {
  Data = 0,
  SynStream = 1,
  SynReply = 2,
  RstStream = 3,
  Settings = 4,
  Ping = 6,
  GoAway = 7,
  Headers = 8,
  WindowUpdate = 9,
};

inline constexpr std::uint8_t kFlagFin = 0x01;
inline constexpr std::uint8_t kFlagUnidirectional = 0x02;

// RST_STREAM status codes.
inline constexpr std::uint32_t kProtocolError = 1;
inline constexpr std::uint32_t kInvalidStream = 2;
inline constexpr std::uint32_t kRefusedStream = 3;
inline constexpr std::uint32_t kCancel = 5;

// Header names travel lower-case; a value may hold several, NUL-separated.
using HeaderList = std::vector<std::pair<std::string, std::string>>;
// The first value of `name` (case-insensitive), empty when absent.
std::string headerValue(const HeaderList& headers, std::string_view name);

struct Setting {
  std::uint8_t flags = 0;
  std::uint32_t id = 0;
  std::uint32_t value = 0;
};

struct Frame {
  FrameType type = FrameType::Data;
  std::uint8_t flags = 0;
  std::uint32_t streamId = 0;      // data, syn_stream/reply, headers, rst, window_update
  std::uint32_t associatedId = 0;  // syn_stream
  std::uint8_t priority = 0;       // syn_stream (3 bits)
  HeaderList headers;              // syn_stream/reply, headers
  std::string data;                // data frames
  std::uint32_t status = 0;        // rst_stream, goaway
  std::uint32_t pingId = 0;        // ping
  std::uint32_t deltaWindow = 0;   // window_update
  std::uint32_t lastGoodStreamId = 0;  // goaway
  std::vector<Setting> settings;   // settings

  bool fin() const { return flags & kFlagFin; }
};

// The SPDY/3 header compression dictionary (the draft's section 2.6.10.1).
std::string_view headerDictionary();

// Compresses successive header blocks of one direction of a session.
class HeaderCompressor {
 public:
  HeaderCompressor();
  ~HeaderCompressor();
  HeaderCompressor(const HeaderCompressor&) = delete;
  HeaderCompressor& operator=(const HeaderCompressor&) = delete;
  std::string compress(const HeaderList& headers);

 private:
  z_stream z_{};
};

class HeaderDecompressor {
 public:
  HeaderDecompressor();
  ~HeaderDecompressor();
  HeaderDecompressor(const HeaderDecompressor&) = delete;
  HeaderDecompressor& operator=(const HeaderDecompressor&) = delete;
  Result<HeaderList> decompress(std::string_view block);

 private:
  z_stream z_{};
};

// The bytes of one frame (header blocks through `compressor`, which keeps the
// session's compression state: frames must be written in the order encoded).
std::string encodeFrame(const Frame& frame, HeaderCompressor& compressor);

// Splits a byte stream into frames.
class FrameReader {
 public:
  // Frames whose length field exceeds this fail (a hostile peer).
  explicit FrameReader(std::size_t maxFrame = 16 * 1024 * 1024) : maxFrame_(maxFrame) {}
  void feed(std::string_view bytes) { buffer_.append(bytes); }
  // The next complete frame, nullopt when more bytes are needed, an error for
  // a malformed frame (the session then ends with GOAWAY).
  Result<std::optional<Frame>> next(HeaderDecompressor& decompressor);

 private:
  std::string buffer_;
  std::size_t maxFrame_;
};

}  // namespace kcpp::streaming::spdy
