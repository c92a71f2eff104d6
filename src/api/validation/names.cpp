#include "api/validation/names.h"

#include "api/selectors/label_validation.h"

#include <cctype>

namespace kcpp::api {

namespace {

bool isLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool isDns1123Label(std::string_view s) {
  if (s.empty() || !isLowerAlnum(s.front()) || !isLowerAlnum(s.back())) return false;
  for (char c : s) {
    if (!isLowerAlnum(c) && c != '-') return false;
  }
  return true;
}

std::string maxLength(int n) { return "must be no more than " + std::to_string(n) + " characters"; }

}  // namespace

std::vector<std::string> dns1123SubdomainProblems(std::string_view value) {
  return selectors::dns1123SubdomainErrors(value);  // the one implementation
}

std::vector<std::string> dns1123LabelProblems(std::string_view value) {
  std::vector<std::string> out;
  if (value.size() > 63) out.push_back(maxLength(63));
  if (!isDns1123Label(value)) {
    out.push_back(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
        "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
        "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
  }
  return out;
}

static std::vector<std::string> dns1035LabelProblems(std::string_view value) {
  std::vector<std::string> out;
  if (value.size() > 63) out.push_back(maxLength(63));
  bool ok = !value.empty() && value.front() >= 'a' && value.front() <= 'z' &&
            isDns1123Label(value);
  if (!ok) {
    out.push_back(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with "
        "an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
        "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')");
  }
  return out;
}

static std::vector<std::string> pathSegmentProblems(std::string_view value) {
  std::vector<std::string> out;
  if (value == "." || value == "..") {
    out.push_back("may not be '" + std::string(value) + "'");
    return out;
  }
  for (std::string_view bad : {"/", "%"}) {
    if (value.find(bad) != std::string_view::npos) {
      out.push_back("may not contain '" + std::string(bad) + "'");
    }
  }
  return out;
}

std::vector<std::string> nameProblems(NameRule rule, std::string_view name) {
  switch (rule) {
    case NameRule::Dns1123Subdomain: return dns1123SubdomainProblems(name);
    case NameRule::Dns1123Label: return dns1123LabelProblems(name);
    case NameRule::Dns1035Label: return dns1035LabelProblems(name);
    case NameRule::PathSegment: return pathSegmentProblems(name);
  }
  return {};
}

}  // namespace kcpp::api
