// Registry: the admission chain runs on client writes, in upstream's order.
#include "apiserver/registry/registry_test_fixture.h"

namespace kcpp::apiserver::registry_testing {
namespace {

using admission::Attributes;
using admission::Operation;

// Records what it sees; labels objects in admit; rejects objects labelled deny=yes.
class RecordingPlugin : public admission::Plugin {
 public:
  explicit RecordingPlugin(std::vector<std::string>& log) : log_(log) {}
  std::string_view name() const override { return "Recording"; }
  asio::awaitable<Result<void>> admit(Attributes& attrs) override {
    log_.push_back("admit " + std::string(operationName(attrs.operation)) + " " + attrs.name +
                   " " + attrs.subresource + (attrs.oldObject ? " old" : ""));
    if (attrs.object) api::ensureObject(api::ensureObject(*attrs.object, "metadata"), "labels")["admitted"] = "yes";
    co_return Result<void>{};
  }
  asio::awaitable<Result<void>> validate(const Attributes& attrs) override {
    log_.push_back("validate " + std::string(operationName(attrs.operation)) + " " + attrs.name +
                   " " + attrs.user->name);
    const json::object* obj = attrs.object ? attrs.object : attrs.oldObject;
    if (str(*obj, "metadata.labels.deny") == "yes") co_return admission::forbidden(attrs, "denied");
    attrs.warn("seen by Recording");
    co_return Result<void>{};
  }

 private:
  std::vector<std::string>& log_;
};

class RegistryAdmissionTest : public RegistryTest {
 protected:
  void SetUp() override {
    std::vector<admission::PluginPtr> plugins;
    plugins.push_back(std::make_unique<RecordingPlugin>(log));
    chain = std::make_unique<admission::Chain>(std::move(plugins));
    asUser.requester.user = &user;
    asUser.requester.warnings = &warnings;
  }
  std::vector<std::string> log;
  std::vector<std::string> warnings;
  std::unique_ptr<admission::Chain> chain;
  UserInfo user{"alice", "", {"system:authenticated"}};
  WriteOptions asUser;
};

TEST_F(RegistryAdmissionTest, CreateIsMutatedThenValidated) {
  Registry& cms = add("", "configmaps");
  cms.setAdmission(*chain);
  auto created = await(cms.create(ns, configMap("a"), asUser));
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(str(*created, "metadata.labels.admitted"), "yes");
  EXPECT_EQ(str(*get(cms, ns, "a"), "metadata.labels.admitted"), "yes");
  EXPECT_EQ(log, (std::vector<std::string>{"admit CREATE a ", "validate CREATE a alice"}));
  EXPECT_EQ(warnings, std::vector<std::string>{"seen by Recording"});
}

TEST_F(RegistryAdmissionTest, RejectedCreateStoresNothing) {
  Registry& cms = add("", "configmaps");
  cms.setAdmission(*chain);
  json::object body = configMap("a");
  api::ensureObject(api::ensureObject(body, "metadata"), "labels")["deny"] = "yes";
  auto created = await(cms.create(ns, body, asUser));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code(), 403);
  EXPECT_EQ(created.error().message, "configmaps \"a\" is forbidden: denied");
  EXPECT_EQ(count(cms, ns), 0u);
}

TEST_F(RegistryAdmissionTest, UpdateAndStatusSeeTheOldObject) {
  Registry& deploys = add("apps", "deployments");
  create(deploys, ns, deployment("web"));
  deploys.setAdmission(*chain);
  json::object body = *get(deploys, ns, "web");
  api::ensureObject(body, "metadata").erase("resourceVersion");
  auto updated = await(deploys.update(ns, "web", body, Subresource::Status, asUser));
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  api::ensureObject(api::ensureObject(body, "metadata"), "labels")["deny"] = "yes";
  auto denied = await(deploys.update(ns, "web", body, Subresource::None, asUser));
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().message, "deployments.apps \"web\" is forbidden: denied");
  EXPECT_EQ(str(*get(deploys, ns, "web"), "metadata.labels.deny"), "");
  EXPECT_EQ(log, (std::vector<std::string>{"admit UPDATE web status old",
                                           "validate UPDATE web alice",
                                           "admit UPDATE web  old", "validate UPDATE web alice"}));
}

TEST_F(RegistryAdmissionTest, DeleteIsAdmittedAndValidated) {
  Registry& cms = add("", "configmaps");
  json::object body = configMap("a");
  api::ensureObject(api::ensureObject(body, "metadata"), "labels")["deny"] = "yes";
  create(cms, ns, body);
  cms.setAdmission(*chain);
  DeleteOptions options;
  options.requester.user = &user;
  auto deleted = await(cms.remove(ns, "a", options));
  ASSERT_FALSE(deleted.ok());
  EXPECT_EQ(deleted.error().code(), 403);
  EXPECT_EQ(count(cms, ns), 1u);
  EXPECT_EQ(log, (std::vector<std::string>{"admit DELETE a  old", "validate DELETE a alice"}));
}

TEST_F(RegistryAdmissionTest, ServerWritesSkipAdmission) {
  Registry& cms = add("", "configmaps");
  cms.setAdmission(*chain);
  create(cms, ns, configMap("a"));
  EXPECT_TRUE(log.empty());
}

}  // namespace
}  // namespace kcpp::apiserver::registry_testing
