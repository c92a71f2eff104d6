#include "api/validation/quantity.h"

#include <gtest/gtest.h>

#include <limits>

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

Quantity q(std::string_view text) { return *Quantity::parse(text); }

TEST(Quantity, SumsAndDifferencesPrintAsUpstream) {
  EXPECT_EQ((q("500m") + q("500m")).string(), "1");
  EXPECT_EQ((q("100m") + q("1")).string(), "1100m");
  EXPECT_EQ((q("1Gi") + q("512Mi")).string(), "1536Mi");
  EXPECT_EQ((Quantity() + q("1Gi")).string(), "1Gi");      // zero takes the other's format
  EXPECT_EQ((q("0") + q("256Mi")).string(), "256Mi");
  EXPECT_EQ((q("1") + q("1Ki")).string(), "1025");          // the first one's format wins
  EXPECT_EQ((q("2") - q("1")).string(), "1");
  EXPECT_EQ((q("1Gi") - q("1Gi")).string(), "0");
  EXPECT_EQ((q("1") - q("1500m")).string(), "-500m");
  EXPECT_EQ((q("1") - q("1500m")).sign(), -1);
  EXPECT_EQ((Quantity() - q("1Gi")).string(), "-1Gi");
  EXPECT_EQ((q("1e3") + q("1")).string(), "1001");
  EXPECT_EQ((q("1") + q("1n")).string(), "1000000001n");
}

TEST(Quantity, JsonNumbersKeepTheirDecimalForm) {
  EXPECT_EQ(Quantity::fromJson(boost::json::parse("0.5"))->string(), "500m");
  EXPECT_EQ(Quantity::fromJson(boost::json::parse("2"))->string(), "2");
  EXPECT_EQ(Quantity::fromJson(boost::json::parse("1.5e3"))->string(), "1500");
  EXPECT_FALSE(Quantity::fromJson(boost::json::parse("true")));
}

TEST(Quantity, RoundsUpToWholeUnits) {
  EXPECT_EQ(q("1500m").roundedUp().string(), "2");
  EXPECT_EQ(q("2").roundedUp().string(), "2");
  EXPECT_EQ(q("1.5Gi").roundedUp().string(), "1536Mi");
  EXPECT_EQ(q("0.5Ki").roundedUp().string(), "512");
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

// Found by fuzz/quantity_fuzzer: exponents and mantissas past what __int128 holds
// overflowed (undefined behaviour; 10^1000 wraps, and a wrapped divisor of 0 crashes).
TEST(Quantity, HugeExponentsAndMantissasDoNotOverflow) {
  auto big = Quantity::parse("1e1000");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->value(), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(Quantity::parse("-1e1000")->value(), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(Quantity::parse("1e30")->value(), std::numeric_limits<std::int64_t>::max());
  EXPECT_GT(*big, Quantity::fromInt(1));
  EXPECT_EQ(canonical("1e-1000"), "1e-9");  // rounded up to one nano unit
  EXPECT_EQ(canonical("-1e-9999"), "-1e-9");
  EXPECT_EQ(canonical("0e-9999"), "0");
  // The canonical form moves trailing zeros into the exponent, past 9999; it
  // parses again (a fuzzer-found regression).
  EXPECT_EQ(canonical("90000990000000000e9999"), "90000990e10008");
  EXPECT_TRUE(Quantity::parse("90000990e10008"));
  EXPECT_FALSE(Quantity::parse("1e10036"));
  auto wide = Quantity::parse("1000000000000000000000000000000000000m");  // 10^36 thousandths
  ASSERT_TRUE(wide);
  EXPECT_GT(*wide, *Quantity::parse("1"));
  EXPECT_LT(*Quantity::parse("1"), *wide);
  EXPECT_EQ(*Quantity::parse("1e33"), *wide);
  // A binary suffix multiplied a mantissa near the limit past 2^127.
  EXPECT_FALSE(Quantity::parse("92002003000040020030000400919Pi"));
  EXPECT_FALSE(Quantity::parse("1329227995784915872903807060280344576Ki"));
  EXPECT_EQ(canonical("1298074214633706907132624082305024Ki"), "1152921504606846976Ei");  // 2^120
}

TEST(Quantity, MilliValueRoundsUp) {
  EXPECT_EQ(Quantity::parse("1")->milliValue(), 1000);
  EXPECT_EQ(Quantity::parse("250m")->milliValue(), 250);
  EXPECT_EQ(Quantity::parse("1n")->milliValue(), 1);
  EXPECT_EQ(Quantity::parse("1Ki")->milliValue(), 1024000);
}

// Add(): exact sums across suffixes, printed in the first term's format.
TEST(Quantity, PlusKeepsTheFirstFormat) {
  EXPECT_EQ(Quantity::parse("500m")->plus(*Quantity::parse("1")).string(), "1500m");
  EXPECT_EQ(Quantity::parse("1Gi")->plus(*Quantity::parse("1Gi")).string(), "2Gi");
  EXPECT_EQ(Quantity::parse("1G")->plus(*Quantity::parse("1Gi")).string(), "2073741824");
  EXPECT_EQ(Quantity::fromInt(0).plus(*Quantity::parse("1Mi")).string(), "1Mi");
  EXPECT_EQ(Quantity::parse("1e1000")->plus(*Quantity::parse("1n")), *Quantity::parse("1e1000"));
}

TEST(Quantity, GoStringOfTheParsedValue) {
  EXPECT_EQ(Quantity::parse("1.5")->goString(),
            "resource.Quantity{i:resource.int64Amount{value:15, scale:-1}, "
            "d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:\"\", Format:\"DecimalSI\"}");
}

}  // namespace
}  // namespace kcpp::api::validation
