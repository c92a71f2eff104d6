// Kernel security profiles and knobs: AppArmor, SELinux, seccomp and sysctls.
#include "apiserver/admission/podsecurity/policy/check_support.h"

#include <algorithm>

namespace kcpp::apiserver::admission::podsecurity::detail {

namespace {

// Who set a bad value: "pod", `containers "a", "b"`, joined with " and ".
struct Setters {
  bool pod = false;
  std::vector<std::string> containers;
  std::vector<std::string> list() const {
    std::vector<std::string> out;
    if (pod) out.push_back("pod");
    if (!containers.empty()) out.push_back(containersPhrase(containers));
    return out;
  }
};

// --- AppArmor ---------------------------------------------------------------

bool allowedAppArmorType(const json::object* profile) {
  std::string_view type = stringAt(profile, "type");
  return type == "RuntimeDefault" || type == "Localhost";
}

bool allowedAppArmorAnnotation(std::string_view value) {
  return value.empty() || value == "runtime/default" || value.starts_with("localhost/");
}

std::optional<Violation> appArmorProfile(const json::object& meta, const json::object& spec) {
  Setters setters;
  std::set<std::string> badTypes;
  if (const json::object* profile = objectAt(podSecurityContext(spec), "appArmorProfile");
      profile && !allowedAppArmorType(profile)) {
    setters.pod = true;
    badTypes.insert(std::string(stringAt(profile, "type")));
  }
  visitContainers(spec, [&](const json::object& c) {
    const json::object* profile = objectAt(securityContext(c), "appArmorProfile");
    if (!profile || allowedAppArmorType(profile)) return;
    setters.containers.emplace_back(containerName(c));
    badTypes.insert(std::string(stringAt(profile, "type")));
  });
  std::vector<std::string> annotations;
  if (const json::object* all = objectAt(&meta, "annotations")) {
    for (const auto& [key, value] : *all) {
      if (!key.starts_with("container.apparmor.security.beta.kubernetes.io/")) continue;
      std::string_view v = value.is_string() ? std::string_view(value.get_string()) : "";
      if (!allowedAppArmorAnnotation(v)) annotations.push_back(std::string(key) + "=" + goQuote(v));
    }
  }
  std::vector<std::string> badValues(badTypes.begin(), badTypes.end());
  std::vector<std::string> who = setters.list();
  if (!annotations.empty()) {
    std::sort(annotations.begin(), annotations.end());
    badValues.insert(badValues.end(), annotations.begin(), annotations.end());
    who.emplace_back(pluralize("annotation", "annotations", annotations.size()));
  }
  if (who.empty()) return std::nullopt;
  return Violation{
      std::string(pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles", badValues.size())),
      join(who, " and ") + " must not set AppArmor profile type to " + joinQuote(badValues)};
}

// --- SELinux ----------------------------------------------------------------

struct SELinuxFindings {
  std::set<std::string> badTypes;
  bool setUser = false;
  bool setRole = false;

  // Records what is wrong with `options`; true when something is.
  bool check(const json::object& options) {
    static const char* const allowedTypes[] = {"", "container_t", "container_init_t",
                                               "container_kvm_t", "container_engine_t"};
    std::string_view type = stringAt(&options, "type");
    bool bad = false;
    if (std::find(std::begin(allowedTypes), std::end(allowedTypes), type) == std::end(allowedTypes)) {
      badTypes.insert(std::string(type));
      bad = true;
    }
    if (!stringAt(&options, "user").empty()) setUser = bad = true;
    if (!stringAt(&options, "role").empty()) setRole = bad = true;
    return bad;
  }
};

std::optional<Violation> seLinuxOptions(const json::object&, const json::object& spec) {
  SELinuxFindings findings;
  Setters setters;
  if (const json::object* options = objectAt(podSecurityContext(spec), "seLinuxOptions")) {
    setters.pod = findings.check(*options);
  }
  visitContainers(spec, [&](const json::object& c) {
    const json::object* options = objectAt(securityContext(c), "seLinuxOptions");
    if (options && findings.check(*options)) setters.containers.emplace_back(containerName(c));
  });
  std::vector<std::string> who = setters.list();
  if (who.empty()) return std::nullopt;
  std::vector<std::string> what;
  if (!findings.badTypes.empty()) {
    what.push_back(std::string(pluralize("type", "types", findings.badTypes.size())) + " " +
                   joinQuote(findings.badTypes));
  }
  if (findings.setUser) what.push_back("user may not be set");
  if (findings.setRole) what.push_back("role may not be set");
  return Violation{"seLinuxOptions", join(who, " and ") +
                                         " set forbidden securityContext.seLinuxOptions: " +
                                         join(what, "; ")};
}

// --- seccomp ----------------------------------------------------------------

bool validSeccomp(const json::object& profile) {
  std::string_view type = stringAt(&profile, "type");
  return type == "RuntimeDefault" || type == "Localhost";
}

// Explicitly bad profiles (both levels), and for restricted the containers
// left without any profile when the pod sets none.
struct SeccompFindings {
  Setters explicitlyBad;
  std::set<std::string> badValues;
  std::vector<std::string> unset;
};

SeccompFindings findSeccomp(const json::object& spec) {
  SeccompFindings f;
  bool podSet = false;
  if (const json::object* profile = objectAt(podSecurityContext(spec), "seccompProfile")) {
    if (validSeccomp(*profile)) {
      podSet = true;
    } else {
      f.explicitlyBad.pod = true;
      f.badValues.insert(std::string(stringAt(profile, "type")));
    }
  }
  visitContainers(spec, [&](const json::object& c) {
    const json::object* profile = objectAt(securityContext(c), "seccompProfile");
    if (!profile) {
      if (!podSet) f.unset.emplace_back(containerName(c));
      return;
    }
    if (validSeccomp(*profile)) return;
    f.explicitlyBad.containers.emplace_back(containerName(c));
    f.badValues.insert(std::string(stringAt(profile, "type")));
  });
  return f;
}

std::optional<Violation> explicitSeccompViolation(const SeccompFindings& f) {
  std::vector<std::string> who = f.explicitlyBad.list();
  if (who.empty()) return std::nullopt;
  return Violation{"seccompProfile", join(who, " and ") +
                                         " must not set securityContext.seccompProfile.type to " +
                                         joinQuote(f.badValues)};
}

std::optional<Violation> seccompBaseline(const json::object&, const json::object& spec) {
  return explicitSeccompViolation(findSeccomp(spec));
}

std::optional<Violation> seccompRestricted(const json::object&, const json::object& spec) {
  // Windows pods cannot set seccomp profiles (1.25+).
  if (isWindowsPod(spec)) return std::nullopt;
  SeccompFindings f = findSeccomp(spec);
  if (auto v = explicitSeccompViolation(f)) return v;
  if (f.unset.empty()) return std::nullopt;
  return Violation{"seccompProfile",
                   "pod or " + containersPhrase(f.unset) +
                       " must set securityContext.seccompProfile.type to \"RuntimeDefault\" or "
                       "\"Localhost\""};
}

// --- sysctls ----------------------------------------------------------------

// The namespaced sysctls that cannot affect other pods (policy 1.32's list).
bool isSafeSysctl(std::string_view name) {
  static const char* const safe[] = {
      "kernel.shm_rmid_forced",        "net.ipv4.ip_local_port_range",
      "net.ipv4.tcp_syncookies",       "net.ipv4.ping_group_range",
      "net.ipv4.ip_unprivileged_port_start", "net.ipv4.ip_local_reserved_ports",
      "net.ipv4.tcp_keepalive_time",   "net.ipv4.tcp_fin_timeout",
      "net.ipv4.tcp_keepalive_intvl",  "net.ipv4.tcp_keepalive_probes",
      "net.ipv4.tcp_rmem",             "net.ipv4.tcp_wmem"};
  return std::find(std::begin(safe), std::end(safe), name) != std::end(safe);
}

std::optional<Violation> sysctls(const json::object&, const json::object& spec) {
  std::vector<std::string> forbidden;
  if (const json::array* list = arrayAt(podSecurityContext(spec), "sysctls")) {
    for (const json::value& s : *list) {
      std::string_view name = s.is_object() ? stringAt(&s.get_object(), "name") : "";
      if (!isSafeSysctl(name)) forbidden.emplace_back(name);
    }
  }
  if (forbidden.empty()) return std::nullopt;
  return Violation{"forbidden sysctls", join(forbidden, ", ")};
}

}  // namespace

std::vector<Check> profileChecks() {
  return {
      {"appArmorProfile", Level::Baseline, appArmorProfile, {}},
      {"seLinuxOptions", Level::Baseline, seLinuxOptions, {}},
      {"seccompProfile_baseline", Level::Baseline, seccompBaseline, {}},
      {"seccompProfile_restricted", Level::Restricted, seccompRestricted,
       {"seccompProfile_baseline"}},
      {"sysctls", Level::Baseline, sysctls, {}},
  };
}

}  // namespace kcpp::apiserver::admission::podsecurity::detail
