#include "api/protobuf/json_scalars.h"

#include <openssl/evp.h>

#include <cstdint>

namespace kcpp::protobuf {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

bool continuation(std::uint8_t byte) { return (byte & 0xC0) == 0x80; }

// The length of the valid UTF-8 sequence at text[pos], or 0 if it is invalid
// (overlong forms, surrogates and code points past U+10FFFF are invalid).
std::size_t sequenceLength(std::string_view text, std::size_t pos) {
  auto at = [&](std::size_t i) { return static_cast<std::uint8_t>(text[pos + i]); };
  std::uint8_t lead = at(0);
  if (lead < 0x80) return 1;
  std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
  if (length == 0 || lead > 0xF4 || pos + length > text.size()) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    if (!continuation(at(i))) return 0;
  }
  std::uint8_t second = at(1);
  if (lead == 0xE0 && second < 0xA0) return 0;  // overlong
  if (lead == 0xED && second > 0x9F) return 0;  // surrogate
  if (lead == 0xF0 && second < 0x90) return 0;  // overlong
  if (lead == 0xF4 && second > 0x8F) return 0;  // past U+10FFFF
  return length;
}

}  // namespace

std::string validUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t length = sequenceLength(text, pos);
    if (length == 0) {
      out += kReplacement;
      ++pos;
    } else {
      out.append(text, pos, length);
      pos += length;
    }
  }
  return out;
}

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  if (bytes.empty()) return out;
  int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

}  // namespace kcpp::protobuf
