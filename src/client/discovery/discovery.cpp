#include "client/discovery/discovery.h"

#include <algorithm>

namespace kcpp::client {

namespace {

std::string str(const json::object& obj, std::string_view key) {
  auto* v = obj.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

// The resources of one group version's APIResourceList, subresources left out.
std::vector<ApiResource> parseResourceList(const json::object& list, const std::string& group,
                                           const std::string& version) {
  std::vector<ApiResource> out;
  auto* resources = list.if_contains("resources");
  if (!resources || !resources->is_array()) return out;
  for (const auto& item : resources->get_array()) {
    if (!item.is_object()) continue;
    const json::object& r = item.get_object();
    ApiResource resource;
    resource.resource = str(r, "name");
    if (resource.resource.empty() || resource.resource.find('/') != std::string::npos) continue;
    resource.group = group;
    resource.version = version;
    resource.kind = str(r, "kind");
    auto* namespaced = r.if_contains("namespaced");
    resource.namespaced = namespaced && namespaced->is_bool() && namespaced->get_bool();
    if (auto* verbs = r.if_contains("verbs"); verbs && verbs->is_array()) {
      for (const auto& v : verbs->get_array()) {
        if (v.is_string()) resource.verbs.emplace_back(v.get_string());
      }
    }
    out.push_back(std::move(resource));
  }
  return out;
}

// (group, version) pairs to read: v1 for the core group, then each group's
// preferred version.
std::vector<std::pair<std::string, std::string>> preferredVersions(const json::object& groups) {
  std::vector<std::pair<std::string, std::string>> out;
  auto* list = groups.if_contains("groups");
  if (!list || !list->is_array()) return out;
  for (const auto& g : list->get_array()) {
    if (!g.is_object()) continue;
    std::string name = str(g.get_object(), "name");
    auto* preferred = g.get_object().if_contains("preferredVersion");
    std::string version =
        preferred && preferred->is_object() ? str(preferred->get_object(), "version") : "";
    if (version.empty()) {
      auto* versions = g.get_object().if_contains("versions");
      if (versions && versions->is_array() && !versions->get_array().empty() &&
          versions->get_array()[0].is_object()) {
        version = str(versions->get_array()[0].get_object(), "version");
      }
    }
    if (!name.empty() && !version.empty()) out.emplace_back(name, version);
  }
  return out;
}

}  // namespace

bool ApiResource::supports(const std::string& verb) const {
  return std::find(verbs.begin(), verbs.end(), verb) != verbs.end();
}

std::string ApiResource::apiVersion() const {
  return group.empty() ? version : group + "/" + version;
}

std::string groupOf(const std::string& apiVersion) {
  auto slash = apiVersion.find('/');
  return slash == std::string::npos ? "" : apiVersion.substr(0, slash);
}

std::string versionOf(const std::string& apiVersion) {
  auto slash = apiVersion.find('/');
  return slash == std::string::npos ? apiVersion : apiVersion.substr(slash + 1);
}

boost::asio::awaitable<Result<DiscoveredResources>> discoverResources(RestClient& client) {
  DiscoveredResources out;
  std::string none;
  std::string jsonType = "application/json";
  auto core = co_await client.request("GET", "/api/v1", none, jsonType);
  if (!core) co_return std::move(core).error();
  out.resources = parseResourceList(*core, "", "v1");
  auto groups = co_await client.request("GET", "/apis", none, jsonType);
  if (!groups) co_return std::move(groups).error();
  for (const auto& [group, version] : preferredVersions(*groups)) {
    std::string target = "/apis/" + group + "/" + version;
    auto list = co_await client.request("GET", target, none, jsonType);
    if (!list) {
      out.failed[group + "/" + version] = list.error().message;
      continue;
    }
    auto resources = parseResourceList(*list, group, version);
    out.resources.insert(out.resources.end(), resources.begin(), resources.end());
  }
  co_return out;
}

void ResourceMapper::reset(const std::vector<ApiResource>& resources) {
  byGroupKind_.clear();
  for (const ApiResource& r : resources) byGroupKind_[r.group + "/" + r.kind] = r;
}

std::optional<ApiResource> ResourceMapper::find(const std::string& apiVersion,
                                                const std::string& kind) const {
  auto it = byGroupKind_.find(groupOf(apiVersion) + "/" + kind);
  if (it == byGroupKind_.end()) return std::nullopt;
  // The served version, not the reference's: kcpp serves one version per
  // group, and an object is reachable under any served version.
  return it->second;
}

}  // namespace kcpp::client
