#include "streaming/spdy_frame.h"

#include <algorithm>
#include <cctype>

namespace kcpp::streaming::spdy {

namespace {

void put32(std::string& out, std::uint32_t v) {
  out.push_back(static_cast<char>(v >> 24));
  out.push_back(static_cast<char>(v >> 16));
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

std::uint32_t get32(std::string_view in, std::size_t at) {
  auto b = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(in[at + i])); };
  return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Error protocolError(std::string message) {
  return makeError(Reason::BadRequest, "spdy: " + std::move(message));
}

// A control frame: version, type, flags, then the body.
std::string controlFrame(FrameType type, std::uint8_t flags, std::string_view body) {
  std::string out;
  out.reserve(8 + body.size());
  put32(out, 0x80000000u | static_cast<std::uint32_t>(kVersion) << 16 | static_cast<std::uint16_t>(type));
  put32(out, static_cast<std::uint32_t>(flags) << 24 | static_cast<std::uint32_t>(body.size()));
  out.append(body);
  return out;
}

}  // namespace

std::string headerValue(const HeaderList& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (equalsIgnoreCase(k, name)) return v.substr(0, v.find('\0'));
  }
  return "";
}

HeaderCompressor::HeaderCompressor() {
  deflateInit(&z_, Z_DEFAULT_COMPRESSION);
  auto dict = headerDictionary();
  deflateSetDictionary(&z_, reinterpret_cast<const Bytef*>(dict.data()), static_cast<uInt>(dict.size()));
}

HeaderCompressor::~HeaderCompressor() { deflateEnd(&z_); }

std::string HeaderCompressor::compress(const HeaderList& headers) {
  std::string plain;
  put32(plain, static_cast<std::uint32_t>(headers.size()));
  for (const auto& [k, v] : headers) {
    put32(plain, static_cast<std::uint32_t>(k.size()));
    plain += lower(k);
    put32(plain, static_cast<std::uint32_t>(v.size()));
    plain += v;
  }
  std::string out;
  z_.next_in = reinterpret_cast<Bytef*>(plain.data());
  z_.avail_in = static_cast<uInt>(plain.size());
  char chunk[4096];
  do {  // a sync flush ends each block on a byte boundary the peer can inflate
    z_.next_out = reinterpret_cast<Bytef*>(chunk);
    z_.avail_out = sizeof chunk;
    deflate(&z_, Z_SYNC_FLUSH);
    out.append(chunk, sizeof chunk - z_.avail_out);
  } while (z_.avail_out == 0);
  return out;
}

HeaderDecompressor::HeaderDecompressor() { inflateInit(&z_); }

HeaderDecompressor::~HeaderDecompressor() { inflateEnd(&z_); }

Result<HeaderList> HeaderDecompressor::decompress(std::string_view block) {
  std::string plain;
  z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(block.data()));
  z_.avail_in = static_cast<uInt>(block.size());
  char chunk[4096];
  while (z_.avail_in > 0) {
    z_.next_out = reinterpret_cast<Bytef*>(chunk);
    z_.avail_out = sizeof chunk;
    int rc = inflate(&z_, Z_SYNC_FLUSH);
    if (rc == Z_NEED_DICT) {
      auto dict = headerDictionary();
      rc = inflateSetDictionary(&z_, reinterpret_cast<const Bytef*>(dict.data()),
                                static_cast<uInt>(dict.size()));
      if (rc != Z_OK) return protocolError("header dictionary mismatch");
      continue;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) return protocolError("bad compressed header block");
    plain.append(chunk, sizeof chunk - z_.avail_out);
    if (rc == Z_BUF_ERROR && z_.avail_out != 0) break;
  }
  HeaderList headers;
  std::size_t at = 0;
  auto need = [&](std::size_t n) { return at + n <= plain.size(); };
  if (!need(4)) return protocolError("short header block");
  std::uint32_t count = get32(plain, at);
  at += 4;
  for (std::uint32_t i = 0; i < count; ++i) {
    if (!need(4)) return protocolError("short header block");
    std::uint32_t klen = get32(plain, at);
    at += 4;
    if (!need(klen + 4)) return protocolError("short header block");
    std::string key = plain.substr(at, klen);
    at += klen;
    std::uint32_t vlen = get32(plain, at);
    at += 4;
    if (!need(vlen)) return protocolError("short header block");
    headers.emplace_back(std::move(key), plain.substr(at, vlen));
    at += vlen;
  }
  return headers;
}

std::string encodeFrame(const Frame& f, HeaderCompressor& compressor) {
  std::string body;
  switch (f.type) {
    case FrameType::Data: {
      std::string out;
      put32(out, f.streamId & 0x7fffffffu);
      put32(out, static_cast<std::uint32_t>(f.flags) << 24 | static_cast<std::uint32_t>(f.data.size()));
      out += f.data;
      return out;
    }
    case FrameType::SynStream:
      put32(body, f.streamId & 0x7fffffffu);
      put32(body, f.associatedId & 0x7fffffffu);
      body.push_back(static_cast<char>((f.priority & 0x7) << 5));
      body.push_back(0);  // slot
      body += compressor.compress(f.headers);
      break;
    case FrameType::SynReply:
    case FrameType::Headers:
      put32(body, f.streamId & 0x7fffffffu);
      body += compressor.compress(f.headers);
      break;
    case FrameType::RstStream:
      put32(body, f.streamId & 0x7fffffffu);
      put32(body, f.status);
      break;
    case FrameType::Settings:
      put32(body, static_cast<std::uint32_t>(f.settings.size()));
      for (const auto& s : f.settings) {
        put32(body, static_cast<std::uint32_t>(s.flags) << 24 | (s.id & 0xffffffu));
        put32(body, s.value);
      }
      break;
    case FrameType::Ping:
      put32(body, f.pingId);
      break;
    case FrameType::GoAway:
      put32(body, f.lastGoodStreamId & 0x7fffffffu);
      put32(body, f.status);
      break;
    case FrameType::WindowUpdate:
      put32(body, f.streamId & 0x7fffffffu);
      put32(body, f.deltaWindow & 0x7fffffffu);
      break;
  }
  return controlFrame(f.type, f.flags, body);
}

Result<std::optional<Frame>> FrameReader::next(HeaderDecompressor& decompressor) {
  if (buffer_.size() < 8) return std::optional<Frame>{};
  std::uint32_t word0 = get32(buffer_, 0);
  std::uint32_t word1 = get32(buffer_, 4);
  std::size_t length = word1 & 0xffffffu;
  if (length > maxFrame_) return protocolError("frame too large");
  if (buffer_.size() < 8 + length) return std::optional<Frame>{};
  std::string_view body(buffer_.data() + 8, length);
  Frame f;
  f.flags = static_cast<std::uint8_t>(word1 >> 24);
  bool control = word0 & 0x80000000u;
  auto minimum = [&](std::size_t n) -> Result<void> {
    if (body.size() < n) return protocolError("short control frame");
    return {};
  };
  if (!control) {
    f.type = FrameType::Data;
    f.streamId = word0 & 0x7fffffffu;
    f.data = std::string(body);
  } else {
    if (((word0 >> 16) & 0x7fff) != kVersion) return protocolError("unsupported version");
    f.type = static_cast<FrameType>(word0 & 0xffff);
    switch (f.type) {
      case FrameType::SynStream: {
        if (auto ok = minimum(10); !ok) return ok.error();
        f.streamId = get32(body, 0) & 0x7fffffffu;
        f.associatedId = get32(body, 4) & 0x7fffffffu;
        f.priority = static_cast<std::uint8_t>(static_cast<unsigned char>(body[8]) >> 5);
        auto headers = decompressor.decompress(body.substr(10));
        if (!headers) return headers.error();
        f.headers = std::move(*headers);
        break;
      }
      case FrameType::SynReply:
      case FrameType::Headers: {
        if (auto ok = minimum(4); !ok) return ok.error();
        f.streamId = get32(body, 0) & 0x7fffffffu;
        auto headers = decompressor.decompress(body.substr(4));
        if (!headers) return headers.error();
        f.headers = std::move(*headers);
        break;
      }
      case FrameType::RstStream:
      case FrameType::GoAway:
      case FrameType::WindowUpdate:
        if (auto ok = minimum(8); !ok) return ok.error();
        f.streamId = get32(body, 0) & 0x7fffffffu;
        f.lastGoodStreamId = f.streamId;
        f.status = get32(body, 4);
        f.deltaWindow = f.status & 0x7fffffffu;
        break;
      case FrameType::Settings: {
        if (auto ok = minimum(4); !ok) return ok.error();
        std::uint32_t n = get32(body, 0);
        if (body.size() < 4 + std::size_t{n} * 8) return protocolError("short settings frame");
        for (std::uint32_t i = 0; i < n; ++i) {
          std::uint32_t idWord = get32(body, 4 + i * 8);
          f.settings.push_back({static_cast<std::uint8_t>(idWord >> 24), idWord & 0xffffffu,
                                get32(body, 8 + i * 8)});
        }
        break;
      }
      case FrameType::Ping:
        if (auto ok = minimum(4); !ok) return ok.error();
        f.pingId = get32(body, 0);
        break;
      default:
        break;  // unknown control frames are ignored, as the draft asks
    }
  }
  buffer_.erase(0, 8 + length);
  return std::optional<Frame>{std::move(f)};
}

}  // namespace kcpp::streaming::spdy
