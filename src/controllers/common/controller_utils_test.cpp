#include "controllers/common/controller_utils.h"

#include <gtest/gtest.h>

#include "api/meta/object.h"
#include "controllers/common/expectations.h"

namespace kcpp::controllers {
namespace {

PodPtr pod(const std::string& name, const std::string& node, const std::string& phase, bool ready,
           const std::string& created = "2026-01-01T00:00:00Z", int restarts = 0) {
  json::object p = json::parse(R"({"metadata":{},"spec":{},"status":{}})").as_object();
  p["metadata"].as_object()["name"] = name;
  p["metadata"].as_object()["creationTimestamp"] = created;
  if (!node.empty()) p["spec"].as_object()["nodeName"] = node;
  p["status"].as_object()["phase"] = phase;
  if (ready) {
    p["status"].as_object()["conditions"] = json::array{json::object{
        {"type", "Ready"}, {"status", "True"}, {"lastTransitionTime", "2026-01-01T00:00:00Z"}}};
  }
  p["status"].as_object()["containerStatuses"] =
      json::array{json::object{{"name", "c"}, {"restartCount", restarts}}};
  return std::make_shared<const json::object>(std::move(p));
}

std::vector<std::string> names(const std::vector<PodPtr>& pods) {
  std::vector<std::string> out;
  for (const auto& p : pods) out.emplace_back(api::metaName(*p));
  return out;
}

TEST(PodsToDeleteTest, UnscheduledThenPendingThenNotReadyGoFirst) {
  std::vector<PodPtr> pods = {pod("running-ready", "n1", "Running", true),
                              pod("unscheduled", "", "Pending", false),
                              pod("running-notready", "n2", "Running", false),
                              pod("pending", "n3", "Pending", false)};
  EXPECT_EQ(names(podsToDelete(pods, pods, 3)),
            (std::vector<std::string>{"unscheduled", "pending", "running-notready"}));
}

TEST(PodsToDeleteTest, DoubledUpNodesThenRestartsThenNewerFirst) {
  std::vector<PodPtr> pods = {pod("alone", "n1", "Running", true),
                              pod("shared-a", "n2", "Running", true),
                              pod("shared-b", "n2", "Running", true)};
  // Two pods share n2: one of them goes before the lone pod.
  auto first = names(podsToDelete(pods, pods, 1));
  EXPECT_TRUE(first[0] == "shared-a" || first[0] == "shared-b");
  std::vector<PodPtr> same = {pod("old", "n1", "Running", false, "2020-01-01T00:00:00Z"),
                              pod("crashy", "n2", "Running", false, "2020-01-01T00:00:00Z", 5),
                              pod("new", "n3", "Running", false, "2026-11-22T00:00:00Z")};
  EXPECT_EQ(names(podsToDelete(same, same, 2)), (std::vector<std::string>{"crashy", "new"}));
}

TEST(ControllerUtilsTest, PodFromTemplateCarriesTheControllerRef) {
  json::object owner = json::parse(R"({"metadata":{"name":"web","namespace":"ns","uid":"u1"}})").as_object();
  json::object tmpl = json::parse(R"({"metadata":{"labels":{"app":"web"},"annotations":{"a":"b"}},
                                      "spec":{"containers":[{"name":"c","image":"nginx"}]}})").as_object();
  json::object p = podFromTemplate(tmpl, owner, makeControllerRef(owner, "apps/v1", "ReplicaSet"));
  EXPECT_EQ(p["metadata"].at("generateName"), "web-");
  EXPECT_EQ(p["metadata"].at("namespace"), "ns");
  EXPECT_EQ(p["metadata"].at("labels").at("app"), "web");
  auto ref = controllerRef(p);
  ASSERT_TRUE(ref.has_value());
  EXPECT_EQ(ref->kind, "ReplicaSet");
  EXPECT_EQ(ref->uid, "u1");
  EXPECT_EQ(p["metadata"].at("ownerReferences").at(0).at("blockOwnerDeletion"), true);
  EXPECT_EQ(p["spec"].at("containers").at(0).at("image"), "nginx");
}

TEST(ControllerUtilsTest, ActiveReadyAvailable) {
  EXPECT_TRUE(isPodActive(*pod("a", "", "Pending", false)));
  EXPECT_FALSE(isPodActive(*pod("a", "", "Succeeded", false)));
  EXPECT_FALSE(isPodActive(*pod("a", "", "Failed", false)));
  PodPtr ready = pod("r", "n", "Running", true);
  EXPECT_TRUE(isPodReady(*ready));
  auto readyAt = *api::parseTime("2026-01-01T00:00:00Z");
  EXPECT_TRUE(isPodAvailable(*ready, 10, readyAt + std::chrono::seconds(10)));
  EXPECT_FALSE(isPodAvailable(*ready, 10, readyAt + std::chrono::seconds(9)));
}

TEST(ExpectationsTest, SatisfiedOnceEveryCreateAndDeleteIsObserved) {
  ControllerExpectations e;
  EXPECT_TRUE(e.satisfied("ns/rs"));
  e.expectCreations("ns/rs", 2);
  EXPECT_FALSE(e.satisfied("ns/rs"));
  e.creationObserved("ns/rs");
  EXPECT_FALSE(e.satisfied("ns/rs"));
  e.creationFailed("ns/rs");
  EXPECT_TRUE(e.satisfied("ns/rs"));
  e.expectDeletions("ns/rs", {"ns/p1", "ns/p2"});
  e.deletionObserved("ns/rs", "ns/p1");
  e.deletionObserved("ns/rs", "ns/p1");  // counted once
  EXPECT_FALSE(e.satisfied("ns/rs"));
  e.deletionObserved("ns/rs", "ns/p2");
  EXPECT_TRUE(e.satisfied("ns/rs"));
}

}  // namespace
}  // namespace kcpp::controllers
