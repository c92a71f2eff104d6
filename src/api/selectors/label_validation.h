#pragma once
// Upstream's name and label syntax checks (k8s.io/apimachinery/pkg/util/validation),
// with upstream's messages. Each returns the list of problems; empty means valid.

#include <string>
#include <string_view>
#include <vector>

namespace kcpp::selectors {

inline constexpr std::size_t kQualifiedNameMaxLength = 63;
inline constexpr std::size_t kLabelValueMaxLength = 63;
inline constexpr std::size_t kDns1123SubdomainMaxLength = 253;

// A label key / annotation key: [prefix/]name, prefix a DNS subdomain,
// name <= 63 characters of [-A-Za-z0-9_.] starting and ending alphanumeric.
std::vector<std::string> qualifiedNameErrors(std::string_view value);

// A label value: empty, or <= 63 characters like a qualified name's name part.
std::vector<std::string> labelValueErrors(std::string_view value);

// A lowercase RFC 1123 subdomain of at most 253 characters.
std::vector<std::string> dns1123SubdomainErrors(std::string_view value);

}  // namespace kcpp::selectors
