#pragma once
// Discovery: the resources an API server serves, read from /api, /apis and each
// group version's resource list, as client-go's ServerPreferredResources: one
// (preferred) version per group, subresources left out. A group version that
// fails to answer is reported in `failed` while the others are still returned
// (upstream's ErrGroupDiscoveryFailed).

#include <boost/asio/awaitable.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "client/rest/rest_client.h"

namespace kcpp::client {

struct ApiResource {
  std::string group;
  std::string version;
  std::string resource;  // plural, e.g. "replicasets"
  std::string kind;
  bool namespaced = false;
  std::vector<std::string> verbs;

  bool supports(const std::string& verb) const;
  // "group/version", or "version" for the core group (an apiVersion).
  std::string apiVersion() const;
  ResourcePath path() const {
    ResourcePath p;
    p.group = group;
    p.version = version;
    p.resource = resource;
    return p;
  }
};

struct DiscoveredResources {
  std::vector<ApiResource> resources;
  // group version → why it could not be read
  std::map<std::string, std::string> failed;
};

boost::asio::awaitable<Result<DiscoveredResources>> discoverResources(RestClient& client);

// Finds the resource of an apiVersion + kind (upstream's RESTMapper), matching
// the group and kind (the answer names the discovered version).
class ResourceMapper {
 public:
  void reset(const std::vector<ApiResource>& resources);
  std::optional<ApiResource> find(const std::string& apiVersion, const std::string& kind) const;

 private:
  std::map<std::string, ApiResource> byGroupKind_;  // "group/Kind"
};

// The group of an apiVersion ("apps/v1" → "apps", "v1" → "").
std::string groupOf(const std::string& apiVersion);
std::string versionOf(const std::string& apiVersion);

}  // namespace kcpp::client
