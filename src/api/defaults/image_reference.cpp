#include "api/defaults/image_reference.h"

#include <algorithm>
#include <cctype>
#include <regex>

namespace kcpp::api::defaults {

namespace {

// The reference grammar (distribution/reference, regexp.go), anchored:
//   reference := name [ ":" tag ] [ "@" digest ]
//   name      := [ domain "/" ] path-component ( "/" path-component )*
const std::regex& referencePattern() {
  static const std::regex pattern = [] {
    const std::string alnum = "[a-z0-9]+";
    const std::string separator = "(?:[._]|__|[-]+)";
    const std::string pathComponent = alnum + "(?:" + separator + alnum + ")*";
    const std::string domainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    const std::string domainName = domainComponent + "(?:\\." + domainComponent + ")*";
    const std::string host = "(?:" + domainName + "|\\[[a-fA-F0-9:]+\\])";
    const std::string domain = host + "(?::[0-9]+)?";
    const std::string name = "(?:" + domain + "/)?" + pathComponent + "(?:/" + pathComponent + ")*";
    const std::string tag = "[\\w][\\w.-]{0,127}";
    const std::string digest =
        "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
    return std::regex("(" + name + ")(?::(" + tag + "))?(?:@(" + digest + "))?");
  }();
  return pattern;
}

// No valid reference comes near this long (a name is at most 255 characters, a
// tag 128, a digest 7 + 128); longer input is rejected before the regex, whose
// std:: implementation recurses per character.
constexpr std::size_t kMaxReferenceLength = 1024;
constexpr std::size_t kMaxNameLength = 255;

bool hasUpper(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

bool isHex64Identifier(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// splitDockerDomain: the first component is a registry only if it looks like one
// (has a '.' or ':', is "localhost", or has upper case); else Docker Hub.
std::string normalise(std::string_view image) {
  auto slash = image.find('/');
  if (slash != std::string_view::npos) {
    std::string_view first = image.substr(0, slash);
    bool isDomain = first.find_first_of(".:") != std::string_view::npos ||
                    first == "localhost" || hasUpper(first);
    if (isDomain) {
      std::string domain(first == "index.docker.io" ? "docker.io" : first);
      std::string_view rest = image.substr(slash + 1);
      if (domain == "docker.io" && rest.find('/') == std::string_view::npos) {
        return domain + "/library/" + std::string(rest);
      }
      return domain + "/" + std::string(rest);
    }
  }
  std::string_view rest = image;
  if (slash == std::string_view::npos) return "docker.io/library/" + std::string(rest);
  return "docker.io/" + std::string(rest);
}

// go-digest: the algorithms the API server links (sha256, sha384, sha512), each
// with its exact length of lower-case hex.
bool validDigest(std::string_view digest) {
  auto colon = digest.find(':');
  std::string_view algorithm = digest.substr(0, colon);
  std::string_view hex = digest.substr(colon + 1);
  std::size_t want = algorithm == "sha256" ? 64 : algorithm == "sha384" ? 96
                   : algorithm == "sha512" ? 128 : 0;
  if (want == 0 || hex.size() != want) return false;
  return std::all_of(hex.begin(), hex.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

}  // namespace

std::optional<ImageReference> parseImageReference(std::string_view image) {
  if (image.empty() || image.size() > kMaxReferenceLength || isHex64Identifier(image)) {
    return std::nullopt;
  }
  std::string full = normalise(image);
  // The repository (before any ':') must be lower case; only a registry may not be.
  std::string_view remainder = std::string_view(full).substr(full.find('/') + 1);
  if (hasUpper(remainder.substr(0, remainder.find(':')))) return std::nullopt;
  std::smatch m;
  if (!std::regex_match(full, m, referencePattern())) return std::nullopt;
  ImageReference ref{m[1].str(), m[2].str(), m[3].str()};
  if (ref.name.size() > kMaxNameLength) return std::nullopt;
  if (!ref.digest.empty() && !validDigest(ref.digest)) return std::nullopt;
  return ref;
}

std::string imageTag(std::string_view image) {
  auto ref = parseImageReference(image);
  if (!ref) return "";
  if (ref->tag.empty() && ref->digest.empty()) return "latest";
  return ref->tag;
}

}  // namespace kcpp::api::defaults
