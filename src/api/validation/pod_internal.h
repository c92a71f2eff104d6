#pragma once
// Declarations shared by the pod validation files of this room.

#include <map>
#include <optional>
#include <set>
#include <string>

#include "api/validation/pod_spec.h"

namespace kcpp::api::validation::pod {

// The pod's valid volumes by name, with the source each uses ("emptyDir", ...).
using VolumeMap = std::map<std::string, std::string>;

struct ContainerContext {
  const VolumeMap* volumes = nullptr;
  std::optional<std::int64_t> gracePeriod;
  PodOptions opts;
};

VolumeMap validateVolumes(const json::array* volumes, const Path& p, Causes& out);

Causes validateContainers(const json::array* containers, const ContainerContext& ctx,
                          const Path& p);
Causes validateInitContainers(const json::array* init, const json::array* regular,
                              const ContainerContext& ctx, const Path& p);
Causes validateResourceRequirements(const json::object* resources, const Path& p);
Causes validateSecurityContext(const json::object* sc, const Path& p);

// Small shared rules.
void dns1123Label(std::string_view value, const Path& p, Causes& out);
void dns1123Subdomain(std::string_view value, const Path& p, Causes& out);
// The subdomain rule applied to `checked`, reported with `reported` as the value
// (name prefixes are checked with their trailing dash masked).
void dns1123SubdomainMessages(std::string_view checked, std::string_view reported, const Path& p,
                              Causes& out);
void portNumber(std::int64_t port, const Path& p, Causes& out);
void portName(std::string_view name, const Path& p, Causes& out);
// ValidatePortNumOrName of an IntOrString JSON value.
void portNumOrName(const json::value* port, const Path& p, Causes& out);
void nonNegative(const json::object& o, std::string_view key, const Path& p, Causes& out);
void noBacksteps(std::string_view path, const Path& p, Causes& out);
void localDescendingPath(std::string_view path, const Path& p, Causes& out);
void qualifiedName(std::string_view value, const Path& p, Causes& out);

}  // namespace kcpp::api::validation::pod
