#pragma once
// IP, CIDR and domain-name checks shared by the networking and discovery validators.

#include <string_view>

#include "api/validation/field_errors.h"

namespace kcpp::api::validation {

bool isIPv4(std::string_view s);  // ParseIPSloppy: leading zeros allowed
bool isIPv6(std::string_view s);
inline bool isIP(std::string_view s) { return isIPv4(s) || isIPv6(s); }
// A CIDR as netutils.ParseCIDRSloppy accepts it; fills the prefix length.
bool parseCIDR(std::string_view s, bool& v6, int& prefix);

// IsDNS1123Subdomain / IsWildcardDNS1123Subdomain messages.
void subdomain(std::string_view value, const Path& p, Causes& out);
void wildcardSubdomain(std::string_view value, const Path& p, Causes& out);
// IsDomainPrefixedPath ("acme.io/foo").
void domainPrefixedPath(std::string_view value, const Path& p, Causes& out);

}  // namespace kcpp::api::validation
