#include "api/validation/quantity.h"

#include <gtest/gtest.h>

namespace kcpp::api::validation {
namespace {

std::string canonical(std::string_view text) {
  auto q = Quantity::parse(text);
  return q ? q->string() : "<invalid>";
}

TEST(Quantity, CanonicalFormsAsUpstreamPrintsThem) {
  EXPECT_EQ(canonical("500m"), "500m");
  EXPECT_EQ(canonical("0.5"), "500m");
  EXPECT_EQ(canonical("1000m"), "1");
  EXPECT_EQ(canonical("1500m"), "1500m");
  EXPECT_EQ(canonical("2000"), "2k");
  EXPECT_EQ(canonical("1Gi"), "1Gi");
  EXPECT_EQ(canonical("1024Mi"), "1Gi");
  EXPECT_EQ(canonical("1536Mi"), "1536Mi");
  EXPECT_EQ(canonical("0.5Gi"), "512Mi");
  EXPECT_EQ(canonical("100Ki"), "100Ki");
  EXPECT_EQ(canonical("512"), "512");
  EXPECT_EQ(canonical("1e3"), "1e3");
  EXPECT_EQ(canonical("-1"), "-1");
  EXPECT_EQ(canonical("0"), "0");
  EXPECT_EQ(canonical("0.1Ki"), "102400m");
}

TEST(Quantity, RejectsWhatParseQuantityRejects) {
  EXPECT_FALSE(Quantity::parse("abc"));
  EXPECT_FALSE(Quantity::parse("1Q"));
  EXPECT_FALSE(Quantity::parse(""));
  EXPECT_FALSE(Quantity::parse("."));
}

TEST(Quantity, ComparesAcrossSuffixes) {
  EXPECT_LT(*Quantity::parse("500m"), *Quantity::parse("1"));
  EXPECT_EQ(*Quantity::parse("1"), *Quantity::parse("1000m"));
  EXPECT_GT(*Quantity::parse("1Gi"), *Quantity::parse("1G"));
  EXPECT_LT(*Quantity::parse("-1"), Quantity::fromInt(0));
  EXPECT_TRUE(Quantity::parse("2")->isInteger());
  EXPECT_FALSE(Quantity::parse("1500m")->isInteger());
  EXPECT_EQ(Quantity::parse("1500m")->value(), 2);
}

TEST(Quantity, GoStringOfTheParsedValue) {
  EXPECT_EQ(Quantity::parse("1.5")->goString(),
            "resource.Quantity{i:resource.int64Amount{value:15, scale:-1}, "
            "d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:\"\", Format:\"DecimalSI\"}");
}

}  // namespace
}  // namespace kcpp::api::validation
