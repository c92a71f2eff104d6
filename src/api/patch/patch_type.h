#pragma once
// The PATCH content types upstream's apiserver accepts, and the shared shape of a
// patch result. The patch kinds live beside this header:
//   json_patch.h    application/json-patch+json          (RFC 6902)
//   merge_patch.h   application/merge-patch+json         (RFC 7386)
//   strategic_merge.h  application/strategic-merge-patch+json (driven by the
//                   schemas' patch metadata)

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "util/error.h"

namespace kcpp::patch {

enum class PatchType { Json, Merge, StrategicMerge, ApplyYaml, ApplyCbor };

// "application/json-patch+json", "application/merge-patch+json",
// "application/strategic-merge-patch+json", "application/apply-patch+yaml",
// "application/apply-patch+cbor".
std::string_view contentType(PatchType type);

// The patch type of a Content-Type header; as upstream, anything from the first
// ';' (at index > 0) is dropped and the rest must match exactly.
std::optional<PatchType> patchTypeFromContentType(std::string_view header);

// 415 UnsupportedMediaType: "the body of the request was in an unknown format -
// accepted media types include: <the accepted types, comma separated>".
// Built-in resources accept Json, Merge, StrategicMerge, ApplyYaml (in that order);
// custom resources all but StrategicMerge.
Error unsupportedPatchType(std::span<const PatchType> accepted);

// How the body is decoded. Upstream decodes strictly when the request's
// fieldValidation is Strict or Warn, and an absent fieldValidation means Warn:
// so strict is the usual case (kubectl patch sends none), and only Ignore is
// lenient. Strictly, malformed bodies get "error decoding patch: ..." messages,
// and unknown or duplicate fields are collected as strict errors.
enum class Decoding { Lenient, Strict };

// The decoding for a request's fieldValidation parameter ("", "Ignore", "Warn",
// "Strict"; the API layer rejects other values first).
Decoding decodingFor(std::string_view fieldValidation);

struct Patched {
  boost::json::value object;
  // Strict decoding only: e.g. `json patch unknown field "[0].foo"`, `duplicate
  // field "metadata.labels.a"`. The API layer turns them into warnings (Warn) or
  // a 422 Invalid on field "patch" (Strict), as upstream does.
  std::vector<std::string> strictErrors;
};

}  // namespace kcpp::patch
