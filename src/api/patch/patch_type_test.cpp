#include "api/patch/patch_type.h"

#include <array>

#include <gtest/gtest.h>

namespace kcpp::patch {
namespace {

TEST(PatchType, ContentTypes) {
  EXPECT_EQ(patchTypeFromContentType("application/json-patch+json"), PatchType::Json);
  EXPECT_EQ(patchTypeFromContentType("application/merge-patch+json"), PatchType::Merge);
  EXPECT_EQ(patchTypeFromContentType("application/strategic-merge-patch+json"), PatchType::StrategicMerge);
  EXPECT_EQ(patchTypeFromContentType("application/apply-patch+yaml"), PatchType::ApplyYaml);
  EXPECT_EQ(patchTypeFromContentType("application/apply-patch+cbor"), PatchType::ApplyCbor);
  EXPECT_EQ(patchTypeFromContentType("application/merge-patch+json; charset=utf-8"), PatchType::Merge);
  EXPECT_EQ(patchTypeFromContentType("application/merge-patch+json ; charset=utf-8"), std::nullopt);
  EXPECT_EQ(patchTypeFromContentType("application/json"), std::nullopt);
  EXPECT_EQ(patchTypeFromContentType("Application/Merge-Patch+json"), std::nullopt);
  EXPECT_EQ(patchTypeFromContentType(""), std::nullopt);
  EXPECT_EQ(patchTypeFromContentType(";application/merge-patch+json"), std::nullopt);
}

TEST(PatchType, DecodingFollowsFieldValidation) {
  EXPECT_EQ(decodingFor(""), Decoding::Strict);  // absent means Warn
  EXPECT_EQ(decodingFor("Warn"), Decoding::Strict);
  EXPECT_EQ(decodingFor("Strict"), Decoding::Strict);
  EXPECT_EQ(decodingFor("Ignore"), Decoding::Lenient);
}

TEST(PatchType, UnsupportedMediaTypeMessage) {
  constexpr std::array kBuiltIn = {PatchType::Json, PatchType::Merge, PatchType::StrategicMerge, PatchType::ApplyYaml};
  auto e = unsupportedPatchType(kBuiltIn);
  EXPECT_EQ(e.reason, Reason::UnsupportedMediaType);
  EXPECT_EQ(e.code(), 415);
  EXPECT_EQ(e.message,
            "the body of the request was in an unknown format - accepted media types include: "
            "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, "
            "application/apply-patch+yaml");
}

}  // namespace
}  // namespace kcpp::patch
