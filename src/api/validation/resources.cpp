// Compute resource requirements, security contexts, and the small rules shared
// by the pod validation files.
#include <algorithm>

#include "api/selectors/label_validation.h"
#include "api/validation/names.h"
#include "api/validation/pod_internal.h"
#include "api/validation/quantity.h"
#include "api/validation/resource_names.h"

namespace kcpp::api::validation::pod {
namespace {

constexpr std::int64_t kMaxInt32 = 2147483647;

using Quantities = std::map<std::string, Quantity>;

// Reads a ResourceList, validating each name and quantity.
Quantities readResourceList(const json::object* list, const Path& p, Causes& out) {
  Quantities q;
  if (!list) return q;
  for (const auto& [name, value] : *list) {
    Path rp = p.key(name);
    append(out, validateContainerResourceName(name, rp));
    auto quantity = Quantity::fromJson(value);
    if (!quantity) continue;  // the decoder rejects malformed quantities
    append(out, validateResourceQuantityValue(name, *quantity, rp));
    q.emplace(std::string(name), *quantity);
  }
  return q;
}

void compareToLimits(const Quantities& requests, const Quantities& limits, const Path& reqPath,
                     const Path& limPath, Causes& out) {
  for (const auto& [name, request] : requests) {
    auto limit = limits.find(name);
    if (limit == limits.end()) {
      if (!isOvercommitAllowed(name)) {
        out.push_back(required(limPath, "Limit must be set for non overcommitable resources"));
      }
      continue;
    }
    if (request != limit->second && !isOvercommitAllowed(name)) {
      out.push_back(invalidStr(reqPath, request.string(),
                               "must be equal to " + name + " limit of " + limit->second.string()));
    } else if (request > limit->second) {
      out.push_back(invalidStr(reqPath, request.string(),
                               "must be less than or equal to " + name + " limit of " +
                                   limit->second.string()));
    }
  }
}

bool anyOf(const Quantities& q, bool (*pred)(std::string_view)) {
  return std::any_of(q.begin(), q.end(), [&](const auto& kv) { return pred(kv.first); });
}

bool isCpuOrMemory(std::string_view name) { return name == "cpu" || name == "memory"; }

void idRange(const json::object& sc, std::string_view key, const Path& p, Causes& out) {
  auto id = intAt(sc, key);
  if (id && (*id < 0 || *id > kMaxInt32)) {
    out.push_back(invalidInt(p.child(key), *id, inclusiveRangeError(0, kMaxInt32)));
  }
}

}  // namespace

Causes validateResourceRequirements(const json::object* resources, const Path& p) {
  Causes out;
  if (!resources) return out;
  Path limPath = p.child("limits"), reqPath = p.child("requests");
  Quantities limits = readResourceList(objectAt(*resources, "limits"), limPath, out);
  Quantities requests = readResourceList(objectAt(*resources, "requests"), reqPath, out);
  compareToLimits(requests, limits, reqPath, limPath, out);
  bool hugePages = anyOf(limits, isHugePageResourceName) || anyOf(requests, isHugePageResourceName);
  bool cpuOrMemory = anyOf(limits, isCpuOrMemory) || anyOf(requests, isCpuOrMemory);
  if (hugePages && !cpuOrMemory) out.push_back(forbidden(p, "HugePages require cpu or memory"));
  return out;
}

Causes validateSecurityContext(const json::object* sc, const Path& p) {
  Causes out;
  if (!sc) return out;
  idRange(*sc, "runAsUser", p, out);
  idRange(*sc, "runAsGroup", p, out);
  std::string_view procMount = stringAt(*sc, "procMount");
  if (has(*sc, "procMount") && procMount != "Default" && procMount != "Unmasked") {
    out.push_back(notSupportedStr(p.child("procMount"), procMount, {"Default", "Unmasked"}));
  }
  const json::value* escalation = valueAt(*sc, "allowPrivilegeEscalation");
  if (escalation && escalation->is_bool() && !escalation->get_bool() && boolAt(*sc, "privileged")) {
    json::value v = *sc;
    out.push_back(invalidValue(p, renderJson(&v),
                               "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"));
  }
  return out;
}

void dns1123Label(std::string_view value, const Path& p, Causes& out) {
  for (const auto& msg : dns1123LabelProblems(value)) out.push_back(invalidStr(p, value, msg));
}

void dns1123Subdomain(std::string_view value, const Path& p, Causes& out) {
  dns1123SubdomainMessages(value, value, p, out);
}

void dns1123SubdomainMessages(std::string_view checked, std::string_view reported, const Path& p,
                              Causes& out) {
  for (const auto& msg : dns1123SubdomainProblems(checked)) out.push_back(invalidStr(p, reported, msg));
}

void portNumber(std::int64_t port, const Path& p, Causes& out) {
  if (port < 1 || port > 65535) out.push_back(invalidInt(p, port, inclusiveRangeError(1, 65535)));
}

void portName(std::string_view name, const Path& p, Causes& out) {
  auto msg = [&](std::string_view m) { out.push_back(invalidStr(p, name, m)); };
  if (name.size() > 15) msg("must be no more than 15 characters");
  bool charset = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
  if (!charset) msg("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (std::none_of(name.begin(), name.end(), [](char c) { return c >= 'a' && c <= 'z'; })) {
    msg("must contain at least one letter (a-z)");
  }
  if (name.find("--") != std::string_view::npos) msg("must not contain consecutive hyphens");
  if (!name.empty() && (name.front() == '-' || name.back() == '-')) {
    msg("must not begin or end with a hyphen");
  }
}

void portNumOrName(const json::value* port, const Path& p, Causes& out) {
  if (port && port->is_string()) return portName(port->get_string(), p, out);
  std::int64_t n = 0;
  if (port && port->is_int64()) n = port->get_int64();
  if (port && port->is_uint64()) n = static_cast<std::int64_t>(port->get_uint64());
  portNumber(n, p, out);
}

void nonNegative(const json::object& o, std::string_view key, const Path& p, Causes& out) {
  if (auto v = intAt(o, key); v && *v < 0) out.push_back(invalidInt(p.child(key), *v, kNegativeMsg));
}

void noBacksteps(std::string_view path, const Path& p, Causes& out) {
  std::size_t start = 0;
  while (true) {
    auto end = path.find('/', start);
    if (path.substr(start, end == path.npos ? path.npos : end - start) == "..") {
      out.push_back(invalidStr(p, path, "must not contain '..'"));
      return;
    }
    if (end == path.npos) return;
    start = end + 1;
  }
}

void localDescendingPath(std::string_view path, const Path& p, Causes& out) {
  if (!path.empty() && path.front() == '/') out.push_back(invalidStr(p, path, "must be a relative path"));
  noBacksteps(path, p, out);
}

void qualifiedName(std::string_view value, const Path& p, Causes& out) {
  for (const auto& msg : selectors::qualifiedNameErrors(value)) out.push_back(invalidStr(p, value, msg));
}

}  // namespace kcpp::api::validation::pod
