#include "apiserver/admission/listing/listing.h"

#include "apiserver/registry/registry_test_fixture.h"

namespace kcpp::apiserver::registry_testing {
namespace {

class ListingTest : public RegistryTest {};

TEST_F(ListingTest, ListsParsedObjectsOfOneNamespaceOrAll) {
  Registry& cms = add("", "configmaps");
  create(cms, "default", configMap("a"));
  create(cms, "default", configMap("b"));
  json::object other = configMap("c");
  create(cms, "other", other);
  auto inDefault = await(admission::listObjects(cms, "default"));
  ASSERT_TRUE(inDefault.ok());
  ASSERT_EQ(inDefault->size(), 2u);
  EXPECT_EQ(str((*inDefault)[0], "metadata.name"), "a");
  EXPECT_EQ(str((*inDefault)[1], "data.a"), "1");
  auto all = await(admission::listObjects(cms, ""));
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 3u);
}

TEST(Annotation, ReadsAnnotationOrEmpty) {
  json::object obj = parse(R"({"metadata":{"annotations":{"k":"v","n":1}}})");
  EXPECT_EQ(admission::annotation(obj, "k"), "v");
  EXPECT_EQ(admission::annotation(obj, "n"), "");
  EXPECT_EQ(admission::annotation(obj, "missing"), "");
  EXPECT_EQ(admission::annotation(parse("{}"), "k"), "");
}

TEST(NewestMarkedDefault, NewestFirstThenSmallestName) {
  auto cls = [](const char* name, const char* created, const char* key, const char* value) {
    json::object obj = parse(R"({"metadata":{"annotations":{}}})");
    json::object& meta = obj["metadata"].as_object();
    meta["name"] = name;
    meta["creationTimestamp"] = created;
    meta["annotations"].as_object()[key] = value;
    return obj;
  };
  const char* k = "storageclass.kubernetes.io/is-default-class";
  const char* beta = "storageclass.beta.kubernetes.io/is-default-class";
  std::vector<json::object> all = {
      cls("old", "2024-01-01T00:00:00Z", k, "true"),
      cls("newest-but-false", "2024-03-01T00:00:00Z", k, "false"),
      cls("b", "2024-02-01T00:00:00Z", k, "true"),
      cls("a", "2024-02-01T00:00:00Z", beta, "true")};
  auto chosen = admission::newestMarkedDefault(all, {k, beta});
  ASSERT_TRUE(chosen);
  EXPECT_EQ(str(*chosen, "metadata.name"), "a");
  auto onlyGa = admission::newestMarkedDefault(all, {k});
  ASSERT_TRUE(onlyGa);
  EXPECT_EQ(str(*onlyGa, "metadata.name"), "b");
  EXPECT_FALSE(admission::newestMarkedDefault({cls("x", "2024-01-01T00:00:00Z", k, "yes")}, {k}));
}

}  // namespace
}  // namespace kcpp::apiserver::registry_testing
