// Container privileges: privileged containers, added capabilities, privilege
// escalation and unmasked /proc.
#include "apiserver/admission/podsecurity/policy/check_support.h"

#include <algorithm>

namespace kcpp::apiserver::admission::podsecurity::detail {

namespace {

std::optional<Violation> privileged(const json::object&, const json::object& spec) {
  std::vector<std::string> bad;
  visitContainers(spec, [&](const json::object& c) {
    if (isTrue(securityContext(c), "privileged")) bad.emplace_back(containerName(c));
  });
  if (bad.empty()) return std::nullopt;
  return Violation{"privileged",
                   containersPhrase(bad) + " must not set securityContext.privileged=true"};
}

// The container runtime's default set, which baseline lets containers re-add.
bool isDefaultCapability(std::string_view cap) {
  static const char* const allowed[] = {"AUDIT_WRITE", "CHOWN",      "DAC_OVERRIDE", "FOWNER",
                                        "FSETID",      "KILL",       "MKNOD",        "NET_BIND_SERVICE",
                                        "SETFCAP",     "SETGID",     "SETPCAP",      "SETUID",
                                        "SYS_CHROOT"};
  return std::find(std::begin(allowed), std::end(allowed), cap) != std::end(allowed);
}

std::vector<std::string> capabilityList(const json::object* capabilities, std::string_view key) {
  std::vector<std::string> out;
  if (const json::array* list = arrayAt(capabilities, key)) {
    for (const json::value& v : *list) {
      if (v.is_string()) out.emplace_back(v.get_string());
    }
  }
  return out;
}

std::string addPhrase(const std::vector<std::string>& containers, const std::set<std::string>& caps) {
  return containersPhrase(containers) + " must not include " + joinQuote(caps) +
         " in securityContext.capabilities.add";
}

std::optional<Violation> capabilitiesBaseline(const json::object&, const json::object& spec) {
  std::vector<std::string> bad;
  std::set<std::string> nonDefault;
  visitContainers(spec, [&](const json::object& c) {
    const json::object* caps = objectAt(securityContext(c), "capabilities");
    bool valid = true;
    for (const std::string& cap : capabilityList(caps, "add")) {
      if (isDefaultCapability(cap)) continue;
      valid = false;
      nonDefault.insert(cap);
    }
    if (!valid) bad.emplace_back(containerName(c));
  });
  if (bad.empty()) return std::nullopt;
  return Violation{"non-default capabilities", addPhrase(bad, nonDefault)};
}

std::optional<Violation> capabilitiesRestricted(const json::object&, const json::object& spec) {
  // Pod validation rejects capabilities on Windows pods; they need none (1.25+).
  if (isWindowsPod(spec)) return std::nullopt;
  std::vector<std::string> missingDropAll;
  std::vector<std::string> addingForbidden;
  std::set<std::string> forbidden;
  visitContainers(spec, [&](const json::object& c) {
    const json::object* caps = objectAt(securityContext(c), "capabilities");
    if (!caps) {
      missingDropAll.emplace_back(containerName(c));
      return;
    }
    std::vector<std::string> dropped = capabilityList(caps, "drop");
    if (std::find(dropped.begin(), dropped.end(), "ALL") == dropped.end()) {
      missingDropAll.emplace_back(containerName(c));
    }
    bool adds = false;
    for (const std::string& cap : capabilityList(caps, "add")) {
      if (cap == "NET_BIND_SERVICE") continue;
      adds = true;
      forbidden.insert(cap);
    }
    if (adds) addingForbidden.emplace_back(containerName(c));
  });
  std::vector<std::string> details;
  if (!missingDropAll.empty()) {
    details.push_back(containersPhrase(missingDropAll) +
                      " must set securityContext.capabilities.drop=[\"ALL\"]");
  }
  if (!addingForbidden.empty()) details.push_back(addPhrase(addingForbidden, forbidden));
  if (details.empty()) return std::nullopt;
  return Violation{"unrestricted capabilities", join(details, "; ")};
}

std::optional<Violation> allowPrivilegeEscalation(const json::object&, const json::object& spec) {
  // Windows pods cannot set the field (1.25+).
  if (isWindowsPod(spec)) return std::nullopt;
  std::vector<std::string> bad;
  visitContainers(spec, [&](const json::object& c) {
    if (boolAt(securityContext(c), "allowPrivilegeEscalation").value_or(true)) {
      bad.emplace_back(containerName(c));
    }
  });
  if (bad.empty()) return std::nullopt;
  return Violation{"allowPrivilegeEscalation != false",
                   containersPhrase(bad) + " must set securityContext.allowPrivilegeEscalation=false"};
}

// Only the default, masked /proc. (The relaxation for user-namespaced pods sits
// behind an alpha feature gate in v1.33, off by default.)
std::optional<Violation> procMount(const json::object&, const json::object& spec) {
  std::vector<std::string> bad;
  std::set<std::string> types;
  visitContainers(spec, [&](const json::object& c) {
    const json::object* sc = securityContext(c);
    if (!has(sc, "procMount")) return;
    std::string_view type = stringAt(sc, "procMount");
    if (type == "Default") return;
    bad.emplace_back(containerName(c));
    types.insert(std::string(type));
  });
  if (bad.empty()) return std::nullopt;
  return Violation{"procMount", containersPhrase(bad) + " must not set securityContext.procMount to " +
                                    joinQuote(types)};
}

}  // namespace

std::vector<Check> containerChecks() {
  return {
      {"privileged", Level::Baseline, privileged, {}},
      {"capabilities_baseline", Level::Baseline, capabilitiesBaseline, {}},
      {"capabilities_restricted", Level::Restricted, capabilitiesRestricted,
       {"capabilities_baseline"}},
      {"allowPrivilegeEscalation", Level::Restricted, allowPrivilegeEscalation, {}},
      {"procMount", Level::Baseline, procMount, {}},
  };
}

}  // namespace kcpp::apiserver::admission::podsecurity::detail
