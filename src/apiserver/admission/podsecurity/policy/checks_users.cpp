// Restricted: containers run as non-root users, and never explicitly as UID 0.
// (v1.33 relaxes neither for user-namespaced pods unless an alpha feature gate,
// off by default, is on.)
#include "apiserver/admission/podsecurity/policy/check_support.h"

namespace kcpp::apiserver::admission::podsecurity::detail {

namespace {

std::optional<Violation> runAsNonRoot(const json::object&, const json::object& spec) {
  std::vector<std::string> setters;  // explicitly runAsNonRoot=false
  bool podNonRoot = false;
  if (auto podValue = boolAt(podSecurityContext(spec), "runAsNonRoot")) {
    if (*podValue) {
      podNonRoot = true;
    } else {
      setters.push_back("pod");
    }
  }
  std::vector<std::string> explicitlyBad;
  std::vector<std::string> implicitlyBad;  // unset, and no pod-level true
  visitContainers(spec, [&](const json::object& c) {
    auto value = boolAt(securityContext(c), "runAsNonRoot");
    if (value && !*value) explicitlyBad.emplace_back(containerName(c));
    if (!value && !podNonRoot) implicitlyBad.emplace_back(containerName(c));
  });
  if (!explicitlyBad.empty()) setters.push_back(containersPhrase(explicitlyBad));
  if (!setters.empty()) {
    return Violation{"runAsNonRoot != true",
                     join(setters, " and ") + " must not set securityContext.runAsNonRoot=false"};
  }
  if (implicitlyBad.empty()) return std::nullopt;
  return Violation{"runAsNonRoot != true",
                   "pod or " + containersPhrase(implicitlyBad) +
                       " must set securityContext.runAsNonRoot=true"};
}

bool runsAsRoot(const json::object* securityContext) {
  auto uid = intAt(securityContext, "runAsUser");
  return uid && *uid == 0;
}

std::optional<Violation> runAsUser(const json::object&, const json::object& spec) {
  std::vector<std::string> setters;
  if (runsAsRoot(podSecurityContext(spec))) setters.push_back("pod");
  std::vector<std::string> bad;
  visitContainers(spec, [&](const json::object& c) {
    if (runsAsRoot(securityContext(c))) bad.emplace_back(containerName(c));
  });
  if (!bad.empty()) setters.push_back(containersPhrase(bad));
  if (setters.empty()) return std::nullopt;
  return Violation{"runAsUser=0", join(setters, " and ") + " must not set runAsUser=0"};
}

}  // namespace

std::vector<Check> userChecks() {
  return {
      {"runAsNonRoot", Level::Restricted, runAsNonRoot, {}},
      {"runAsUser", Level::Restricted, runAsUser, {}},
  };
}

}  // namespace kcpp::apiserver::admission::podsecurity::detail
