#pragma once
// What the checks share (internal to this room): reading pod JSON the way Go
// reads the typed structs (absent and null are nil), upstream's message
// helpers, and the check table's shape.

#include <boost/json.hpp>

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "apiserver/admission/podsecurity/policy/policy.h"

namespace kcpp::apiserver::admission::podsecurity::detail {

// --- reading JSON -----------------------------------------------------------

const json::object* objectAt(const json::object* obj, std::string_view key);
const json::array* arrayAt(const json::object* obj, std::string_view key);
std::string_view stringAt(const json::object* obj, std::string_view key);
std::optional<bool> boolAt(const json::object* obj, std::string_view key);
std::optional<std::int64_t> intAt(const json::object* obj, std::string_view key);
bool isTrue(const json::object* obj, std::string_view key);
// A member that is present and not null (a Go pointer that is not nil).
bool has(const json::object* obj, std::string_view key);

std::string_view containerName(const json::object& container);
const json::object* securityContext(const json::object& container);
const json::object* podSecurityContext(const json::object& spec);
// spec.os.name == "windows": some restricted checks do not apply (policy 1.25+).
bool isWindowsPod(const json::object& spec);

// Every container of the spec in upstream's order: init containers, containers,
// ephemeral containers.
void visitContainers(const json::object& spec,
                     const std::function<void(const json::object& container)>& visit);

// --- upstream's message helpers ---------------------------------------------

std::string_view pluralize(std::string_view singular, std::string_view plural, std::size_t count);
// `"a", "b"` (no escaping, as upstream's joinQuote).
std::string joinQuote(const std::vector<std::string>& items);
std::string joinQuote(const std::set<std::string>& items);
std::string join(const std::vector<std::string>& items, std::string_view separator);
// Go's %q of a string.
std::string goQuote(std::string_view s);
// `container "a"` / `containers "a", "b"`.
std::string containersPhrase(const std::vector<std::string>& names);

// --- the check table --------------------------------------------------------

using CheckFn = std::function<std::optional<Violation>(const json::object& podMetadata,
                                                       const json::object& podSpec)>;

struct Check {
  std::string id;  // upstream's check ID; checks run in ID order within a level
  Level level;     // Baseline or Restricted
  CheckFn run;
  std::vector<std::string> overrides;  // baseline check IDs a restricted check replaces
};

// The checks of each group of files (checks_*.cpp).
std::vector<Check> hostChecks();       // host namespaces, host ports, hostProcess
std::vector<Check> volumeChecks();     // hostPath volumes, restricted volume types
std::vector<Check> containerChecks();  // privileged, capabilities, escalation, procMount
std::vector<Check> profileChecks();    // AppArmor, SELinux, seccomp, sysctls
std::vector<Check> userChecks();       // runAsNonRoot, runAsUser

}  // namespace kcpp::apiserver::admission::podsecurity::detail
