#include "api/validation/net_checks.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>

#include "api/validation/names.h"

namespace kcpp::api::validation {

bool isIPv4(std::string_view s) {
  int parts = 0;
  std::size_t start = 0;
  while (true) {
    auto end = s.find('.', start);
    std::string_view part = s.substr(start, end == s.npos ? s.npos : end - start);
    if (part.empty() || part.size() > 3) return false;
    int n = 0;
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), n);
    if (ec != std::errc() || ptr != part.data() + part.size() || n > 255) return false;
    ++parts;
    if (end == s.npos) break;
    start = end + 1;
  }
  return parts == 4;
}

bool isIPv6(std::string_view s) {
  if (s.find(':') == std::string_view::npos) return false;
  unsigned char buf[16];
  return inet_pton(AF_INET6, std::string(s).c_str(), buf) == 1;
}

bool parseCIDR(std::string_view s, bool& v6, int& prefix) {
  auto slash = s.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view ip = s.substr(0, slash), bits = s.substr(slash + 1);
  v6 = isIPv6(ip);
  if (!v6 && !isIPv4(ip)) return false;
  auto [ptr, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
  return ec == std::errc() && ptr == bits.data() + bits.size() && !bits.empty() && prefix >= 0 &&
         prefix <= (v6 ? 128 : 32);
}

void subdomain(std::string_view value, const Path& p, Causes& out) {
  for (const auto& msg : dns1123SubdomainProblems(value)) out.push_back(invalidStr(p, value, msg));
}

void wildcardSubdomain(std::string_view value, const Path& p, Causes& out) {
  if (value.size() > 253) out.push_back(invalidStr(p, value, "must be no more than 253 characters"));
  bool ok = value.starts_with("*.") && dns1123SubdomainProblems(value.substr(2)).empty();
  if (!ok) {
    out.push_back(invalidStr(p, value,
                             "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, "
                             "which must consist of lower case alphanumeric characters, '-' or '.' and end with an "
                             "alphanumeric character (e.g. '*.example.com', regex used for validation is "
                             "'\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
  }
}

void domainPrefixedPath(std::string_view value, const Path& p, Causes& out) {
  if (value.empty()) return out.push_back(required(p));
  auto slash = value.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == value.size()) {
    return out.push_back(invalidStr(p, value, "must be a domain-prefixed path (such as \"acme.io/foo\")"));
  }
  std::string_view host = value.substr(0, slash), path = value.substr(slash + 1);
  subdomain(host, p, out);
  static const std::string_view allowed = "/-._~%!$&'()*+,;=:";
  bool ok = std::all_of(path.begin(), path.end(), [](unsigned char c) {
    return std::isalnum(c) || allowed.find(static_cast<char>(c)) != std::string_view::npos;
  });
  if (!ok) {
    out.push_back(invalidStr(p, path, "Invalid path (regex used for validation is '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')"));
  }
}

}  // namespace kcpp::api::validation
