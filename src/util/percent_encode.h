#pragma once
// Percent-encoding of a URL query value: every byte but RFC 3986's unreserved
// characters (letters, digits, "-._~") becomes %XX, as Go's url.QueryEscape
// does except that a space is %20 rather than "+" (both decode the same).

#include <cctype>
#include <string>
#include <string_view>

namespace kcpp {

inline std::string percentEncode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace kcpp
