// Baseline: sharing the host's namespaces, binding host ports and Windows
// HostProcess containers are forbidden.
#include "apiserver/admission/podsecurity/policy/check_support.h"

namespace kcpp::apiserver::admission::podsecurity::detail {

namespace {

std::optional<Violation> hostNamespaces(const json::object&, const json::object& spec) {
  std::vector<std::string> shared;
  for (const char* field : {"hostNetwork", "hostPID", "hostIPC"}) {
    if (isTrue(&spec, field)) shared.push_back(std::string(field) + "=true");
  }
  if (shared.empty()) return std::nullopt;
  return Violation{"host namespaces", join(shared, ", ")};
}

std::optional<Violation> hostPorts(const json::object&, const json::object& spec) {
  std::vector<std::string> badContainers;
  std::set<std::string> ports;  // sorted as strings, as upstream's string set
  visitContainers(spec, [&](const json::object& c) {
    bool bad = false;
    if (const json::array* list = arrayAt(&c, "ports")) {
      for (const json::value& port : *list) {
        auto hostPort = port.is_object() ? intAt(&port.get_object(), "hostPort") : std::nullopt;
        if (hostPort.value_or(0) == 0) continue;
        bad = true;
        ports.insert(std::to_string(*hostPort));
      }
    }
    if (bad) badContainers.emplace_back(containerName(c));
  });
  if (badContainers.empty()) return std::nullopt;
  std::vector<std::string> portList(ports.begin(), ports.end());
  return Violation{"hostPort",
                   containersPhrase(badContainers) + " " +
                       std::string(pluralize("uses", "use", badContainers.size())) + " " +
                       std::string(pluralize("hostPort", "hostPorts", ports.size())) + " " +
                       join(portList, ", ")};
}

bool setsHostProcess(const json::object* securityContext) {
  return isTrue(objectAt(securityContext, "windowsOptions"), "hostProcess");
}

std::optional<Violation> windowsHostProcess(const json::object&, const json::object& spec) {
  std::vector<std::string> badContainers;
  visitContainers(spec, [&](const json::object& c) {
    if (setsHostProcess(securityContext(c))) badContainers.emplace_back(containerName(c));
  });
  std::vector<std::string> setters;
  if (setsHostProcess(podSecurityContext(spec))) setters.push_back("pod");
  if (!badContainers.empty()) setters.push_back(containersPhrase(badContainers));
  if (setters.empty()) return std::nullopt;
  return Violation{"hostProcess",
                   join(setters, " and ") +
                       " must not set securityContext.windowsOptions.hostProcess=true"};
}

}  // namespace

std::vector<Check> hostChecks() {
  return {
      {"hostNamespaces", Level::Baseline, hostNamespaces, {}},
      {"hostPorts", Level::Baseline, hostPorts, {}},
      {"windowsHostProcess", Level::Baseline, windowsHostProcess, {}},
  };
}

}  // namespace kcpp::apiserver::admission::podsecurity::detail
