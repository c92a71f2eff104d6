#pragma once
// Container image references as upstream reads them for defaulting: the grammar
// of the distribution "reference" package (ParseNormalizedNamed), which
// k8s.io/kubernetes/pkg/util/parsers.ParseImageName uses to find an image's tag.
//
//   imageTag("nginx")              == "latest"   (neither tag nor digest)
//   imageTag("nginx:1.25")         == "1.25"
//   imageTag("nginx@sha256:<64 hex>") == ""      (a digest only)
//   imageTag("Nginx")              == ""         (not a valid reference)

#include <optional>
#include <string>
#include <string_view>

namespace kcpp::api::defaults {

struct ImageReference {
  std::string name;    // normalised: "docker.io/library/nginx"
  std::string tag;     // "" when none was given
  std::string digest;  // "sha256:…", "" when none was given
};

// nullopt when `image` is not a valid reference (upper case in the repository,
// an empty tag, a bare 64-hex identifier, a digest of an unknown algorithm or of
// the wrong length, a name over 255 characters, ...).
std::optional<ImageReference> parseImageReference(std::string_view image);

// The tag ParseImageName reports: the given tag; "latest" when the reference has
// neither tag nor digest; "" for a digest-only or invalid reference.
std::string imageTag(std::string_view image);

}  // namespace kcpp::api::defaults
