#include "api/protobuf/well_known_types.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/protobuf/test_encoder.h"

namespace kcpp::protobuf {
namespace {

namespace json = boost::json;
using testing::TestMessage;

json::value ok(const Result<json::value>& r) {
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : json::value();
}

TEST(GoDuration, MatchesGoTimeDurationString) {
  struct Case {
    std::int64_t ns;
    const char* text;
  } cases[] = {
      {0, "0s"},
      {1, "1ns"},
      {999, "999ns"},
      {1000, "1\xC2\xB5s"},
      {1500, "1.5\xC2\xB5s"},
      {1000000, "1ms"},
      {1234567, "1.234567ms"},
      {1000000000, "1s"},
      {1500000000, "1.5s"},
      {60000000000, "1m0s"},
      {3600000000000, "1h0m0s"},
      {3723500000000, "1h2m3.5s"},
      {-1000000000, "-1s"},
      {90000000000000, "25h0m0s"},
      {INT64_MAX, "2562047h47m16.854775807s"},
      {INT64_MIN, "-2562047h47m16.854775808s"},
  };
  for (const Case& c : cases) EXPECT_EQ(goDuration(c.ns), c.text) << c.ns;
}

TEST(Rfc3339, FormatsUtcWithOptionalFraction) {
  EXPECT_EQ(*rfc3339(0, 0, 0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(*rfc3339(1704164645, 0, 0), "2024-01-02T03:04:05Z");
  EXPECT_EQ(*rfc3339(1704164645, 123456000, 6), "2024-01-02T03:04:05.123456Z");
  EXPECT_EQ(*rfc3339(1704164645, 0, 6), "2024-01-02T03:04:05.000000Z");
  EXPECT_EQ(*rfc3339(-1, 0, 0), "1969-12-31T23:59:59Z");
  EXPECT_EQ(*rfc3339(253402300799, 0, 0), "9999-12-31T23:59:59Z");
  EXPECT_FALSE(rfc3339(253402300800, 0, 0).ok());
  EXPECT_FALSE(rfc3339(-62167219201, 0, 0).ok());
}

TEST(TimeJson, SecondsOnlyAndZeroIsNull) {
  EXPECT_EQ(ok(timeJson("")), json::value(nullptr));
  EXPECT_EQ(ok(timeJson(testing::timestamp(-62135596800).data())), json::value(nullptr));
  EXPECT_EQ(ok(timeJson(testing::timestamp(1704164645).data())),
            json::value("2024-01-02T03:04:05Z"));
  // metav1.Time drops nanoseconds.
  EXPECT_EQ(ok(timeJson(testing::timestamp(1704164645, 999).data())),
            json::value("2024-01-02T03:04:05Z"));
  // An empty but present Timestamp is the Unix epoch, not the zero time.
  EXPECT_EQ(ok(timeJson(TestMessage().varint(3, 1).data())), json::value("1970-01-01T00:00:00Z"));
  EXPECT_FALSE(timeJson(TestMessage().bytes(1, "x").data()).ok());
}

TEST(MicroTimeJson, SixDigitsTruncated) {
  EXPECT_EQ(ok(microTimeJson("")), json::value(nullptr));
  EXPECT_EQ(ok(microTimeJson(testing::timestamp(1704164645, 123456789).data())),
            json::value("2024-01-02T03:04:05.123456Z"));
  EXPECT_EQ(ok(microTimeJson(testing::timestamp(1704164645).data())),
            json::value("2024-01-02T03:04:05.000000Z"));
}

TEST(DurationJson, GoString) {
  EXPECT_EQ(ok(durationJson("")), json::value("0s"));
  EXPECT_EQ(ok(durationJson(TestMessage().integer(1, 90000000000).data())), json::value("1m30s"));
}

TEST(QuantityJson, StringAndZero) {
  EXPECT_EQ(ok(quantityJson(testing::quantity("100m").data())), json::value("100m"));
  EXPECT_EQ(ok(quantityJson("")), json::value("0"));
  auto empty = quantityJson(testing::quantity("").data());
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().reason, Reason::BadRequest);
}

TEST(IntOrStringJson, IntOrString) {
  EXPECT_EQ(ok(intOrStringJson(testing::intOrString(8080).data())), json::value(8080));
  EXPECT_EQ(ok(intOrStringJson(testing::intOrString(-1).data())), json::value(-1));
  EXPECT_EQ(ok(intOrStringJson(testing::intOrString("http").data())), json::value("http"));
  EXPECT_EQ(ok(intOrStringJson("")), json::value(0));
  EXPECT_FALSE(intOrStringJson(TestMessage().varint(1, 2).data()).ok());
}

TEST(StringListJson, ArrayOrNull) {
  EXPECT_EQ(ok(stringListJson(TestMessage().bytes(1, "a").bytes(1, "b").data())),
            json::parse(R"(["a","b"])"));
  EXPECT_EQ(ok(stringListJson("")), json::value(nullptr));
}

TEST(RawBytes, FieldOne) {
  EXPECT_EQ(*rawBytes(TestMessage().bytes(1, "{}").data()), "{}");
  EXPECT_EQ(*rawBytes(""), "");
}

}  // namespace
}  // namespace kcpp::protobuf
