#include "apiserver/admission/defaulttolerationseconds/default_toleration_seconds.h"

#include "apiserver/registry/pods/pod_strategy.h"
#include "apiserver/registry/registry_test_fixture.h"

namespace kcpp::apiserver::registry_testing {
namespace {

class DefaultTolerationSecondsTest : public RegistryTest {
 protected:
  void SetUp() override {
    pods = &add("", "pods", std::make_unique<PodStrategy>());
    std::vector<admission::PluginPtr> plugins;
    plugins.push_back(std::make_unique<admission::DefaultTolerationSeconds>());
    chain = std::make_unique<admission::Chain>(std::move(plugins));
    pods->setAdmission(*chain);
    asUser.requester.user = &user;
  }

  json::array tolerationsOf(const std::string& spec) {
    json::object pod = parse(R"({"metadata":{}})");
    pod["metadata"].as_object()["name"] = "p" + std::to_string(++created_);
    pod["spec"] = parse(spec);
    auto created = await(pods->create(ns, pod, asUser));
    EXPECT_TRUE(created.ok()) << created.error().message;
    const json::value& t = at(*created, "spec.tolerations");
    return t.is_array() ? t.get_array() : json::array();
  }

  int created_ = 0;
  Registry* pods = nullptr;
  std::unique_ptr<admission::Chain> chain;
  UserInfo user{"alice", "", {"system:authenticated"}};
  WriteOptions asUser;
};

TEST_F(DefaultTolerationSecondsTest, AddsBothTolerationsWithUpstreamsShape) {
  json::array t = tolerationsOf(R"({"containers":[{"name":"c","image":"nginx"}]})");
  EXPECT_EQ(json::serialize(t),
            R"([{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute",)"
            R"("tolerationSeconds":300},{"key":"node.kubernetes.io/unreachable","operator":"Exists",)"
            R"("effect":"NoExecute","tolerationSeconds":300}])");
}

TEST_F(DefaultTolerationSecondsTest, KeepsExistingOnesAndAddsOnlyWhatIsMissing) {
  json::array t = tolerationsOf(R"({"containers":[{"name":"c","image":"nginx"}],"tolerations":[
      {"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":10},
      {"key":"x","operator":"Equal","value":"y","effect":"NoSchedule"}]})");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].at("tolerationSeconds").as_int64(), 10);
  EXPECT_EQ(t[1].at("key").as_string(), "x");
  EXPECT_EQ(t[2].at("key").as_string(), "node.kubernetes.io/unreachable");
}

TEST_F(DefaultTolerationSecondsTest, WildcardTolerationsCoverBoth) {
  EXPECT_EQ(tolerationsOf(R"({"containers":[{"name":"c","image":"nginx"}],
                              "tolerations":[{"operator":"Exists"}]})").size(), 1u);
  // Any key with NoSchedule covers neither NoExecute taint.
  EXPECT_EQ(tolerationsOf(R"({"containers":[{"name":"c","image":"nginx"}],
                              "tolerations":[{"operator":"Exists","effect":"NoSchedule"}]})").size(),
            3u);
}

TEST_F(DefaultTolerationSecondsTest, ServerWritesAreLeftAlone) {
  json::object pod = parse(R"({"metadata":{"name":"s"},"spec":{"containers":[{"name":"c","image":"x"}]}})");
  auto created = await(pods->create(ns, pod, noOptions));
  ASSERT_TRUE(created.ok());
  EXPECT_TRUE(at(*created, "spec.tolerations").is_null());
}

}  // namespace
}  // namespace kcpp::apiserver::registry_testing
