#include "apiserver/admission/namespacelifecycle/namespace_lifecycle.h"

#include "apiserver/registry/namespaces/namespace_strategy.h"
#include "apiserver/registry/registry_test_fixture.h"

namespace kcpp::apiserver::registry_testing {
namespace {

using admission::Chain;
using admission::NamespaceLifecycle;

class NamespaceLifecycleTest : public RegistryTest {
 protected:
  void SetUp() override {
    namespaces = &add("", "namespaces", std::make_unique<NamespaceStrategy>());
    std::vector<admission::PluginPtr> plugins;
    plugins.push_back(std::make_unique<NamespaceLifecycle>(*namespaces));
    chain = std::make_unique<Chain>(std::move(plugins));
    namespaces->setAdmission(*chain);
    asUser.requester.user = &user;
    for (const char* name : {"default", "gone"}) {
      json::object body = parse(R"({"metadata":{}})");
      api::ensureObject(body, "metadata")["name"] = name;
      create(*namespaces, "", body);
    }
    DeleteOptions options;
    auto deleting = await(namespaces->remove("", "gone", options));
    ASSERT_TRUE(deleting.ok());
    ASSERT_EQ(str(deleting->object, "status.phase"), "Terminating");
  }

  Registry& admitted(const std::string& group, const std::string& resource) {
    Registry& r = add(group, resource);
    r.setAdmission(*chain);
    return r;
  }

  Registry* namespaces = nullptr;
  std::unique_ptr<Chain> chain;
  UserInfo user{"alice", "", {"system:authenticated"}};
  WriteOptions asUser;
};

TEST_F(NamespaceLifecycleTest, CreateInMissingNamespaceIs404) {
  Registry& cms = admitted("", "configmaps");
  const std::string missing = "missing";
  auto created = await(cms.create(missing, configMap("a"), asUser));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code(), 404);
  EXPECT_EQ(created.error().message, "namespaces \"missing\" not found");
  EXPECT_EQ(created.error().kind, "namespaces");
  EXPECT_EQ(count(cms, ""), 0u);

  EXPECT_TRUE(await(cms.create(ns, configMap("a"), asUser)).ok());
}

TEST_F(NamespaceLifecycleTest, CreateInTerminatingNamespaceIs403WithCause) {
  Registry& cms = admitted("", "configmaps");
  const std::string gone = "gone";
  auto created = await(cms.create(gone, configMap("a"), asUser));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code(), 403);
  EXPECT_EQ(created.error().message,
            "configmaps \"a\" is forbidden: unable to create new content in namespace gone "
            "because it is being terminated");
  EXPECT_EQ(created.error().kind, "configmaps");
  ASSERT_EQ(created.error().causes.size(), 1u);
  EXPECT_EQ(created.error().causes[0].type, "NamespaceTerminating");
  EXPECT_EQ(created.error().causes[0].field, "metadata.namespace");
  EXPECT_EQ(count(cms, ""), 0u);
}

TEST_F(NamespaceLifecycleTest, ServerWritesSkipAdmission) {
  Registry& cms = admitted("", "configmaps");
  const std::string gone = "gone";
  EXPECT_TRUE(await(cms.create(gone, configMap("a"), noOptions)).ok());
}

TEST_F(NamespaceLifecycleTest, SystemNamespacesCannotBeDeleted) {
  DeleteOptions options;
  options.requester.user = &user;
  auto deleted = await(namespaces->remove("", "default", options));
  ASSERT_FALSE(deleted.ok());
  EXPECT_EQ(deleted.error().code(), 403);
  EXPECT_EQ(deleted.error().message,
            "namespaces \"default\" is forbidden: this namespace may not be deleted");
  auto still = get(*namespaces, "", "default");
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(str(*still, "status.phase"), "Active");
}

TEST_F(NamespaceLifecycleTest, ANamespaceDeletedThroughAdmissionIsReadLive) {
  Registry& cms = admitted("", "configmaps");
  json::object body = parse(R"({"metadata":{"name":"temp"}})");
  create(*namespaces, "", body);
  DeleteOptions options;
  options.requester.user = &user;
  ASSERT_TRUE(await(namespaces->remove("", "temp", options)).ok());
  const std::string temp = "temp";
  auto created = await(cms.create(temp, configMap("a"), asUser));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code(), 403);
}

TEST_F(NamespaceLifecycleTest, ClusterScopedObjectsIgnoreNamespaces) {
  Registry& classes = admitted("storage.k8s.io", "storageclasses");
  json::object body = parse(R"({"metadata":{"name":"fast","namespace":"missing"},
                                "provisioner":"x"})");
  auto created = await(classes.create("", body, asUser));
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(api::findPath(*created, "metadata.namespace"), nullptr);
}

}  // namespace
}  // namespace kcpp::apiserver::registry_testing
