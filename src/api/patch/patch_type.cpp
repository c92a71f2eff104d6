#include "api/patch/patch_type.h"

namespace kcpp::patch {

std::string_view contentType(PatchType type) {
  switch (type) {
    case PatchType::Json: return "application/json-patch+json";
    case PatchType::Merge: return "application/merge-patch+json";
    case PatchType::StrategicMerge: return "application/strategic-merge-patch+json";
    case PatchType::ApplyYaml: return "application/apply-patch+yaml";
    case PatchType::ApplyCbor: return "application/apply-patch+cbor";
  }
  return "";
}

std::optional<PatchType> patchTypeFromContentType(std::string_view header) {
  auto semicolon = header.find(';');
  if (semicolon != std::string_view::npos && semicolon > 0) header = header.substr(0, semicolon);
  for (auto type : {PatchType::Json, PatchType::Merge, PatchType::StrategicMerge, PatchType::ApplyYaml,
                    PatchType::ApplyCbor}) {
    if (contentType(type) == header) return type;
  }
  return std::nullopt;
}

Decoding decodingFor(std::string_view fieldValidation) {
  return fieldValidation == "Ignore" ? Decoding::Lenient : Decoding::Strict;
}

Error unsupportedPatchType(std::span<const PatchType> accepted) {
  std::string list;
  for (std::size_t i = 0; i < accepted.size(); ++i) {
    if (i > 0) list += ", ";
    list += contentType(accepted[i]);
  }
  return makeError(Reason::UnsupportedMediaType,
                   "the body of the request was in an unknown format - accepted media types include: " + list);
}

}  // namespace kcpp::patch
