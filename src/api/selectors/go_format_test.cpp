#include "api/selectors/go_format.h"

#include <gtest/gtest.h>

namespace kcpp::selectors {
namespace {

TEST(GoQuote, MatchesStrconvQuote) {
  EXPECT_EQ(goQuote(""), R"("")");
  EXPECT_EQ(goQuote("abc"), R"("abc")");
  EXPECT_EQ(goQuote(R"(a"b\c)"), R"("a\"b\\c")");
  EXPECT_EQ(goQuote("a\nb\tc\r"), R"("a\nb\tc\r")");
  EXPECT_EQ(goQuote(std::string("\x01\x7f", 2)), R"("\x01\x7f")");
  EXPECT_EQ(goQuote("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(goQuote("\xff"), R"("\xff")");
  EXPECT_EQ(goQuote("\xc2\x85"), R"("\u0085")");
}

TEST(GoStringSlice, MatchesPercentSharpV) {
  EXPECT_EQ(goStringSlice({}), "[]string{}");
  EXPECT_EQ(goStringSlice({"a", "b"}), R"([]string{"a", "b"})");
}

TEST(GoAggregate, DeduplicatesAndBrackets) {
  EXPECT_EQ(goAggregate({"one"}), "one");
  EXPECT_EQ(goAggregate({"one", "one"}), "one");
  EXPECT_EQ(goAggregate({"one", "two", "one"}), "[one, two]");
}

}  // namespace
}  // namespace kcpp::selectors
