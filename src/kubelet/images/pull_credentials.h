#pragma once
// Registry credentials from a pod's imagePullSecrets, as upstream's kubelet
// finds them (pkg/credentialprovider: MakeDockerKeyring + BasicDockerKeyring):
//
// - Secrets of type kubernetes.io/dockerconfigjson (key .dockerconfigjson,
//   {"auths": {registry: entry}}) and kubernetes.io/dockercfg (key .dockercfg,
//   {registry: entry}); other secrets are ignored.
// - An entry's "auth" (base64 of "user:password") overrides its username and
//   password; a malformed one makes the whole lookup fail, as upstream's.
// - Registry keys may carry "https://"/"http://", a path ("quay.io/coreos"),
//   "/v1/" or "/v2/" (dropped), a port, and "*" globs per host label
//   ("*.example.com"). An image matches a key when the label counts and the
//   port agree, each label matches its glob, and the key's path is a prefix of
//   the image's path. Most specific keys come first.
// - "index.docker.io" (Docker's own key, "https://index.docker.io/v1/") serves
//   images of docker.io when no key matched them directly.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "util/error.h"

namespace kcpp::kubelet::images {

// What the kubelet puts into a CRI AuthConfig.
struct RegistryCredentials {
  std::string username;
  std::string password;
  std::string auth;  // the entry's "auth" as written in the secret (base64), if any
  bool operator==(const RegistryCredentials&) const = default;
};

class DockerKeyring {
 public:
  // Adds the entries of one docker config map ({registry: entry}); BadRequest
  // for an entry that is not an object of strings or has a malformed "auth".
  // Keys that are not URLs are skipped.
  Result<void> add(const boost::json::object& registries);

  // Every credential matching `repository` (a normalised name without tag:
  // "docker.io/library/nginx"), most specific registry key first.
  std::vector<RegistryCredentials> lookup(std::string_view repository) const;

 private:
  std::vector<std::string> index_;  // keys, reverse-sorted: "quay.io/coreos" before "quay.io"
  std::map<std::string, std::vector<RegistryCredentials>> creds_;
};

// A keyring from the pod's pull secrets (Secret objects as the API returns them).
Result<DockerKeyring> keyringFromPullSecrets(const std::vector<boost::json::object>& secrets);

// The credentials to try, in order, for pulling `image` ("nginx:1.25",
// "registry.example.com:5000/team/app@sha256:..."); empty when none match.
// BadRequest for an invalid image reference or a malformed pull secret.
Result<std::vector<RegistryCredentials>> pullCredentials(const std::vector<boost::json::object>& secrets,
                                                         std::string_view image);

// upstream's URLsMatchStr: does `target` match the registry key `glob`?
bool registryMatches(std::string_view glob, std::string_view target);

}  // namespace kcpp::kubelet::images
