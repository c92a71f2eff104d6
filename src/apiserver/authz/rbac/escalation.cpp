#include "apiserver/authz/rbac/escalation.h"

#include <algorithm>
#include <map>
#include <set>

namespace kcpp::apiserver::rbac {

namespace {

bool has(const std::vector<std::string>& set, const std::string& item) {
  return std::find(set.begin(), set.end(), item) != set.end();
}

bool hasAll(const std::vector<std::string>& set, const std::vector<std::string>& items) {
  return std::all_of(items.begin(), items.end(), [&](const std::string& i) { return has(set, i); });
}

bool resourcesCover(const std::vector<std::string>& owner, const std::vector<std::string>& wanted) {
  if (has(owner, "*") || hasAll(owner, wanted)) return true;
  for (const auto& path : wanted) {
    if (has(owner, path)) continue;
    auto slash = path.find('/');
    if (slash == std::string::npos) return false;
    if (!has(owner, "*/" + path.substr(slash + 1))) return false;
  }
  return true;
}

bool urlCovers(const std::string& owner, const std::string& path) {
  if (owner == path) return true;
  if (owner.empty() || owner.back() != '*') return false;
  std::string prefix = owner;
  while (!prefix.empty() && prefix.back() == '*') prefix.pop_back();
  return path.starts_with(prefix);
}

bool urlsCover(const std::vector<std::string>& owner, const std::vector<std::string>& wanted) {
  return std::all_of(wanted.begin(), wanted.end(), [&](const std::string& path) {
    return std::any_of(owner.begin(), owner.end(),
                       [&](const std::string& o) { return urlCovers(o, path); });
  });
}

// Go's %q of a []string: ["a" "b"].
std::string goQuotedList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ' ';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "]";
}

bool isSimple(const PolicyRule& r) {
  return r.resourceNames.empty() && r.nonResourceURLs.empty() && r.apiGroups.size() == 1 &&
         r.resources.size() == 1;
}

}  // namespace

std::vector<PolicyRule> breakdownRule(const PolicyRule& rule) {
  std::vector<PolicyRule> out;
  for (const auto& group : rule.apiGroups) {
    for (const auto& resource : rule.resources) {
      for (const auto& verb : rule.verbs) {
        if (rule.resourceNames.empty()) {
          out.push_back(PolicyRule{{verb}, {group}, {resource}, {}, {}});
          continue;
        }
        for (const auto& name : rule.resourceNames) {
          out.push_back(PolicyRule{{verb}, {group}, {resource}, {name}, {}});
        }
      }
    }
  }
  for (const auto& url : rule.nonResourceURLs) {
    for (const auto& verb : rule.verbs) out.push_back(PolicyRule{{verb}, {}, {}, {}, {url}});
  }
  return out;
}

bool ruleCovers(const PolicyRule& owner, const PolicyRule& sub) {
  bool verbs = has(owner.verbs, "*") || hasAll(owner.verbs, sub.verbs);
  bool groups = has(owner.apiGroups, "*") || hasAll(owner.apiGroups, sub.apiGroups);
  bool resources = resourcesCover(owner.resources, sub.resources);
  bool urls = urlsCover(owner.nonResourceURLs, sub.nonResourceURLs);
  bool names = sub.resourceNames.empty()
                   ? owner.resourceNames.empty()
                   : owner.resourceNames.empty() || hasAll(owner.resourceNames, sub.resourceNames);
  return verbs && groups && resources && urls && names;
}

std::vector<PolicyRule> uncoveredRules(const std::vector<PolicyRule>& owner,
                                       const std::vector<PolicyRule>& servant) {
  std::vector<PolicyRule> out;
  for (const auto& rule : servant) {
    for (auto& sub : breakdownRule(rule)) {
      bool covered = std::any_of(owner.begin(), owner.end(),
                                 [&](const PolicyRule& o) { return ruleCovers(o, sub); });
      if (!covered) out.push_back(std::move(sub));
    }
  }
  return out;
}

std::vector<PolicyRule> compactRules(const std::vector<PolicyRule>& rules) {
  std::vector<PolicyRule> out;
  std::map<std::pair<std::string, std::string>, PolicyRule> simple;
  for (const auto& r : rules) {
    if (!isSimple(r)) {
      out.push_back(r);
      continue;
    }
    auto key = std::make_pair(r.apiGroups[0], r.resources[0]);
    auto [it, inserted] = simple.emplace(key, r);
    if (!inserted) it->second.verbs.insert(it->second.verbs.end(), r.verbs.begin(), r.verbs.end());
  }
  for (auto& [key, r] : simple) out.push_back(std::move(r));
  return out;
}

std::string compactString(const PolicyRule& r) {
  std::vector<std::string> parts;
  if (!r.apiGroups.empty()) parts.push_back("APIGroups:" + goQuotedList(r.apiGroups));
  if (!r.resources.empty()) parts.push_back("Resources:" + goQuotedList(r.resources));
  if (!r.nonResourceURLs.empty()) parts.push_back("NonResourceURLs:" + goQuotedList(r.nonResourceURLs));
  if (!r.resourceNames.empty()) parts.push_back("ResourceNames:" + goQuotedList(r.resourceNames));
  if (!r.verbs.empty()) parts.push_back("Verbs:" + goQuotedList(r.verbs));
  std::string out = "{";
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
  return out + "}";
}

std::string escalationError(const UserInfo& user, const std::vector<PolicyRule>& owner,
                            const std::vector<std::string>& resolutionErrors,
                            const std::vector<PolicyRule>& granted) {
  auto missing = uncoveredRules(owner, granted);
  if (missing.empty()) return {};
  std::set<std::string> descriptions;
  for (const auto& r : compactRules(missing)) descriptions.insert(compactString(r));
  std::string msg = "user \"" + user.name + "\" (groups=" + goQuotedList(user.groups) +
                    ") is attempting to grant RBAC permissions not currently held:";
  for (const auto& d : descriptions) msg += "\n" + d;
  if (!resolutionErrors.empty()) {
    // Upstream prints a one-element []error holding the resolver's aggregate.
    std::string agg = resolutionErrors.size() == 1 ? resolutionErrors[0] : "[";
    if (resolutionErrors.size() > 1) {
      for (std::size_t i = 0; i < resolutionErrors.size(); ++i) {
        agg += (i ? ", " : "") + resolutionErrors[i];
      }
      agg += "]";
    }
    msg += "; resolution errors: [" + agg + "]";
  }
  return msg;
}

}  // namespace kcpp::apiserver::rbac
