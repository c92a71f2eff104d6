#include "api/patch/strict_fields.h"

#include <gtest/gtest.h>

namespace kcpp::patch {
namespace {

using Errors = std::vector<std::string>;

TEST(StrictFields, DuplicatesWithUpstreamPaths) {
  EXPECT_EQ(strictFieldErrors(R"({"a":1})"), Errors{});
  EXPECT_EQ(strictFieldErrors(R"({"a":1,"a":2})"), Errors{R"(duplicate field "a")"});
  EXPECT_EQ(strictFieldErrors(R"({"spec":{"containers":[{"name":"a"},{"name":"b","name":"c"}]}})"),
            Errors{R"(duplicate field "spec.containers[1].name")"});
  EXPECT_EQ(strictFieldErrors(R"([{"a":1,"a":1},[{"b":1,"b":1}]])"),
            (Errors{R"(duplicate field "[0].a")", R"(duplicate field "[1][0].b")"}));
  // the same key in sibling objects is not a duplicate; repeats are reported once
  EXPECT_EQ(strictFieldErrors(R"({"a":{"x":1},"b":{"x":1}})"), Errors{});
  EXPECT_EQ(strictFieldErrors(R"({"a":1,"a":2,"a":3})"), Errors{R"(duplicate field "a")"});
  // keys compare decoded
  EXPECT_EQ(strictFieldErrors(R"({"a":1,"\u0061":2})"), Errors{R"(duplicate field "a")"});
  EXPECT_EQ(strictFieldErrors(R"({"q\"":1,"q\"":2})"), Errors{R"(duplicate field "q\"")"});
}

TEST(StrictFields, UnknownFieldsAreReportedAndNotEntered) {
  auto unknown = [](std::size_t depth, std::string_view key) { return depth == 1 && key != "known"; };
  EXPECT_EQ(strictFieldErrors(R"({"known":{"a":1,"a":1},"other":{"b":1,"b":1},"other":2})", unknown),
            (Errors{R"(duplicate field "known.a")", R"(unknown field "other")"}));
}

TEST(StrictFields, CapsAtOneHundred) {
  std::string text = "{";
  for (int i = 0; i < 150; ++i) text += "\"k" + std::to_string(i) + "\":1,\"k" + std::to_string(i) + "\":1,";
  text.back() = '}';
  EXPECT_EQ(strictFieldErrors(text).size(), 100u);
}

}  // namespace
}  // namespace kcpp::patch
