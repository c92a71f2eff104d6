#include "api/selectors/go_format.h"

#include <cstdint>
#include <cstdio>
#include <set>

namespace kcpp::selectors {
namespace {

struct Rune {
  std::uint32_t code = 0;
  std::size_t size = 1;
  bool valid = false;
};

// Decodes one UTF-8 sequence as Go does: overlong forms and surrogates are invalid.
Rune decodeRune(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b0 = byte(i);
  if (b0 < 0x80) return {b0, 1, true};
  std::size_t len = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 0;
  if (len == 0 || b0 > 0xF4 || i + len > s.size()) return {};
  std::uint32_t code = b0 & (0xFF >> (len + 1));
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return {};
    code = (code << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code < kMin[len] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return {};
  return {code, len, true};
}

// An approximation of Go's unicode.IsPrint for non-ASCII runes: the C1 controls,
// no-break space, soft hyphen, line/paragraph separators and BOM are not printable.
bool isPrintable(std::uint32_t code) {
  if (code < 0x80) return code >= 0x20 && code < 0x7F;
  if (code <= 0xA0 || code == 0xAD) return false;
  return code != 0x2028 && code != 0x2029 && code != 0xFEFF;
}

std::string hexEscape(const char* prefix, std::uint32_t code, int width) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%s%0*x", prefix, width, static_cast<unsigned>(code));
  return buf;
}

std::string escapeRune(std::uint32_t code) {
  switch (code) {
    case '\a': return "\\a";
    case '\b': return "\\b";
    case '\f': return "\\f";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    case '\v': return "\\v";
    default: break;
  }
  if (code < 0x20 || code == 0x7F) return hexEscape("\\x", code, 2);
  if (code < 0x10000) return hexEscape("\\u", code, 4);
  return hexEscape("\\U", code, 8);
}

}  // namespace

std::string goQuote(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    Rune r = decodeRune(s, i);
    if (!r.valid) {
      out += hexEscape("\\x", static_cast<unsigned char>(s[i]), 2);
    } else if (r.code == '"' || r.code == '\\') {
      out += '\\';
      out += static_cast<char>(r.code);
    } else if (isPrintable(r.code)) {
      out.append(s.substr(i, r.size));
    } else {
      out += escapeRune(r.code);
    }
    i += r.valid ? r.size : 1;
  }
  return out + "\"";
}

std::string goStringSlice(const std::vector<std::string>& values) {
  std::string out = "[]string{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    out += goQuote(values[i]);
  }
  return out + "}";
}

std::string goAggregate(const std::vector<std::string>& messages) {
  if (messages.size() == 1) return messages.front();
  std::set<std::string> seen;
  std::string joined;
  for (const auto& m : messages) {
    if (!seen.insert(m).second) continue;
    if (seen.size() > 1) joined += ", ";
    joined += m;
  }
  return seen.size() == 1 ? joined : "[" + joined + "]";
}

}  // namespace kcpp::selectors
