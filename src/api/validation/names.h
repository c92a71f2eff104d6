#pragma once
// Object name rules (apimachinery's validation.IsDNS1123Subdomain and friends),
// returning upstream's messages so `kubectl` users see the same text.

#include <string>
#include <string_view>
#include <vector>

namespace kcpp::api {

enum class NameRule {
  Dns1123Subdomain,  // most objects
  Dns1123Label,      // namespaces
  Dns1035Label,      // services
  PathSegment,       // rbac objects and a few others: anything but "/" "%" "." ".."
};

// Empty when valid; otherwise each violated rule's message.
std::vector<std::string> nameProblems(NameRule rule, std::string_view name);

std::vector<std::string> dns1123SubdomainProblems(std::string_view value);
std::vector<std::string> dns1123LabelProblems(std::string_view value);

}  // namespace kcpp::api
