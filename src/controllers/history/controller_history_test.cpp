// ControllerRevision hashing, data and history trimming.
#include "controllers/history/controller_history.h"

#include <gtest/gtest.h>

namespace kcpp::controllers::history {
namespace {

json::object owner() {
  return json::parse(R"({"apiVersion":"apps/v1","kind":"DaemonSet",
    "metadata":{"name":"ds","namespace":"default","uid":"u1","annotations":{"kubernetes.io/change-cause":"v2"}},
    "spec":{"template":{"spec":{"containers":[{"name":"c","image":"nginx"}]},
                        "metadata":{"labels":{"app":"x"}}}}})").as_object();
}

TEST(ControllerHistory, SafeEncodeUsesOnlyConsonantsAndDigits) {
  std::string s = safeEncode("0123456789");
  EXPECT_EQ(s.size(), 10u);
  EXPECT_EQ(s.find_first_not_of("bcdfghjklmnpqrstvwxz2456789"), std::string::npos);
  EXPECT_EQ(safeEncode("0"), std::string(1, "bcdfghjklmnpqrstvwxz2456789"['0' % 27]));
}

TEST(ControllerHistory, HashDependsOnDataAndCollisionCount) {
  std::string a = hashBytes("data", std::nullopt);
  EXPECT_EQ(a, hashBytes("data", std::nullopt));
  EXPECT_NE(a, hashBytes("data2", std::nullopt));
  EXPECT_NE(a, hashBytes("data", 1));
  EXPECT_NE(hashBytes("data", 1), hashBytes("data", 2));
}

TEST(ControllerHistory, TemplatePatchReplacesTheTemplateWithSortedKeys) {
  json::object data = templatePatch(owner());
  EXPECT_EQ(json::serialize(data),
            R"({"spec":{"template":{"$patch":"replace","metadata":{"labels":{"app":"x"}},)"
            R"("spec":{"containers":[{"image":"nginx","name":"c"}]}}}})");
  json::object rev = newRevision(owner(), "apps/v1", "DaemonSet", "ds-abc", {{"app", "x"}}, data, 3);
  json::object back = templateFromRevision(rev);
  EXPECT_FALSE(back.contains("$patch"));
  EXPECT_EQ(canonical(back), canonical(owner().at("spec").at("template")));
  EXPECT_EQ(rev.at("revision").as_int64(), 3);
  EXPECT_EQ(rev.at("metadata").at("ownerReferences").at(0).at("uid"), "u1");
  EXPECT_EQ(rev.at("metadata").at("annotations").at("kubernetes.io/change-cause"), "v2");
}

TEST(ControllerHistory, RevisionNameIsCutTo223Characters) {
  EXPECT_EQ(revisionName("web", "abc"), "web-abc");
  EXPECT_EQ(revisionName(std::string(300, 'a'), "h").size(), 225u);
}

ObjectPtr rev(const std::string& name, std::int64_t number) {
  return std::make_shared<const json::object>(
      json::object{{"metadata", json::object{{"name", name}}}, {"revision", number}});
}

TEST(ControllerHistory, TrimsOldestUnusedRevisionsBeyondTheLimit) {
  std::vector<ObjectPtr> revs{rev("r1", 1), rev("r2", 2), rev("r3", 3), rev("r4", 4)};
  EXPECT_EQ(nextRevisionNumber(revs), 5);
  EXPECT_EQ(nextRevisionNumber({}), 1);
  auto trimmed = revisionsToTrim(revs, {"r1", "r4"}, 1);  // r1, r4 live; keep one of r2, r3
  ASSERT_EQ(trimmed.size(), 1u);
  EXPECT_EQ(trimmed[0]->at("metadata").at("name"), "r2");
  EXPECT_TRUE(revisionsToTrim(revs, {}, 10).empty());
  EXPECT_EQ(revisionsToTrim(revs, {}, 0).size(), 4u);
}

TEST(ControllerHistory, HistoryLimitDefaultsToTen) {
  EXPECT_EQ(historyLimit(owner()), 10);
  json::object o = owner();
  o["spec"].as_object()["revisionHistoryLimit"] = 2;
  EXPECT_EQ(historyLimit(o), 2);
}

}  // namespace
}  // namespace kcpp::controllers::history
