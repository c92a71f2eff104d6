// Table output per resource: a realistic object in, upstream's cells out (as
// `kubectl get` and `kubectl get -o wide` print them).

#include "apiserver/handlers/table.h"

#include <gtest/gtest.h>

#include "apiserver/handlers/table_columns.h"
#include "apiserver/handlers/table_test_util.h"

namespace kcpp::apiserver {
namespace {

using namespace tabletest;  // NOLINT

// --- the table itself --------------------------------------------------------------------

TEST(Table, EnvelopeAndIncludeObject) {
  auto cm = object(R"({"metadata":{"name":"a","creationTimestamp":"AGO[5]",
                       "labels":{"x":"y"}},"data":{"k":"v"}})");
  auto t = makeTable(typeOf("", "configmaps"), {cm}, IncludeObject::Metadata, "12", "tok");
  EXPECT_EQ(t.at("kind"), "Table");
  EXPECT_EQ(t.at("apiVersion"), "meta.k8s.io/v1");
  EXPECT_EQ(t.at("metadata").at("resourceVersion"), "12");
  EXPECT_EQ(t.at("metadata").at("continue"), "tok");
  const auto& row = t.at("rows").as_array()[0].as_object();
  EXPECT_EQ(row.at("object").at("kind"), "PartialObjectMetadata");
  EXPECT_EQ(row.at("object").at("metadata").at("labels").at("x"), "y");
  EXPECT_FALSE(row.contains("conditions"));
  auto full = makeTable(typeOf("", "configmaps"), {cm}, IncludeObject::Object, "", "");
  EXPECT_EQ(full.at("rows").as_array()[0].at("object").at("data").at("k"), "v");
  EXPECT_FALSE(full.at("metadata").as_object().contains("resourceVersion"));
  EXPECT_EQ(parseIncludeObject("None"), IncludeObject::None);
  EXPECT_EQ(parseIncludeObject(""), IncludeObject::Metadata);
}

TEST(Table, DefaultConvertorIsNameAndCreatedAt) {
  for (const char* resource : {"roles", "clusterroles"}) {
    Table t("rbac.authorization.k8s.io", resource,
            {R"({"metadata":{"name":"admin","creationTimestamp":"2024-03-05T10:11:12Z"}})"});
    EXPECT_EQ(t.headers(), "Name | Created At");
    EXPECT_EQ(t.row(), "admin | 2024-03-05T10:11:12Z");
    const auto& created = t.raw().at("columnDefinitions").as_array()[1];
    EXPECT_EQ(created.at("type"), "date");
  }
  Table limits("", "limitranges", {R"({"metadata":{"name":"lr"}})"});
  EXPECT_EQ(limits.row(), "lr | 0001-01-01T00:00:00Z");
}

TEST(Table, HumanDuration) {
  using std::chrono::seconds;
  EXPECT_EQ(humanDuration(seconds(-5)), "<invalid>");
  EXPECT_EQ(humanDuration(seconds(-1)), "0s");
  EXPECT_EQ(humanDuration(seconds(119)), "119s");
  EXPECT_EQ(humanDuration(seconds(150)), "2m30s");
  EXPECT_EQ(humanDuration(seconds(180)), "3m");
  EXPECT_EQ(humanDuration(seconds(3 * 3600 + 60)), "3h1m");
  EXPECT_EQ(humanDuration(seconds(20 * 3600)), "20h");
  EXPECT_EQ(humanDuration(seconds(50 * 3600)), "2d2h");
  EXPECT_EQ(humanDuration(seconds(40 * 86400)), "40d");
  EXPECT_EQ(humanDuration(seconds(3 * 365 * 86400 + 86400)), "3y1d");
  EXPECT_EQ(humanDuration(seconds(9L * 365 * 86400)), "9y");
}

TEST(Table, CanonicalQuantities) {
  using table::canonicalQuantity;
  EXPECT_EQ(canonicalQuantity("10Gi"), "10Gi");
  EXPECT_EQ(canonicalQuantity("1024Mi"), "1Gi");
  EXPECT_EQ(canonicalQuantity("1536Mi"), "1536Mi");
  EXPECT_EQ(canonicalQuantity("0.5Gi"), "512Mi");
  EXPECT_EQ(canonicalQuantity("512Ki"), "512Ki");
  EXPECT_EQ(canonicalQuantity("1000m"), "1");
  EXPECT_EQ(canonicalQuantity("1.5"), "1500m");
  EXPECT_EQ(canonicalQuantity("2000"), "2k");
  EXPECT_EQ(canonicalQuantity("1500"), "1500");
  EXPECT_EQ(canonicalQuantity("100m"), "100m");
  EXPECT_EQ(canonicalQuantity("0"), "0");
  EXPECT_EQ(canonicalQuantity("0Gi"), "0");
  EXPECT_EQ(canonicalQuantity("1e3"), "1e3");
  EXPECT_EQ(canonicalQuantity("12e2"), "1200");
  EXPECT_EQ(canonicalQuantity("-1500m"), "-1500m");
  EXPECT_EQ(canonicalQuantity("0.1Ki"), "102400m");
  EXPECT_EQ(canonicalQuantity("1.1n"), "2n");
  EXPECT_EQ(canonicalQuantity("bogus"), "bogus");
}

}  // namespace
}  // namespace kcpp::apiserver
