#include "apiserver/admission/defaultstorageclass/default_storage_class.h"

#include "apiserver/registry/registry_test_fixture.h"

namespace kcpp::apiserver::registry_testing {
namespace {

class DefaultStorageClassTest : public RegistryTest {
 protected:
  void SetUp() override {
    classes = &add("storage.k8s.io", "storageclasses");
    claims = &add("", "persistentvolumeclaims");
    std::vector<admission::PluginPtr> plugins;
    plugins.push_back(std::make_unique<admission::DefaultStorageClass>(*classes));
    chain = std::make_unique<admission::Chain>(std::move(plugins));
    claims->setAdmission(*chain);
    asUser.requester.user = &user;
  }

  void storageClass(const std::string& name, const std::string& isDefault) {
    json::object sc = parse(R"({"metadata":{"annotations":{}},"provisioner":"x"})");
    sc["metadata"].as_object()["name"] = name;
    if (!isDefault.empty()) {
      sc["metadata"].as_object()["annotations"].as_object()
          ["storageclass.kubernetes.io/is-default-class"] = isDefault;
    }
    create(*classes, "", sc);
  }

  json::object claim(const std::string& extraSpec = "{}", const std::string& meta = "{}") {
    json::object pvc = parse(R"({"metadata":{},"spec":{"accessModes":["ReadWriteOnce"],
                                 "resources":{"requests":{"storage":"1Gi"}}}})");
    pvc["metadata"] = parse(meta);
    pvc["metadata"].as_object()["name"] = "c" + std::to_string(++claims_);
    for (const auto& [k, v] : parse(extraSpec)) pvc["spec"].as_object()[k] = v;
    auto created = await(claims->create(ns, pvc, asUser));
    EXPECT_TRUE(created.ok()) << created.error().message;
    return created ? *created : json::object();
  }

  int claims_ = 0;
  Registry* classes = nullptr;
  Registry* claims = nullptr;
  std::unique_ptr<admission::Chain> chain;
  UserInfo user{"alice", "", {"system:authenticated"}};
  WriteOptions asUser;
};

TEST_F(DefaultStorageClassTest, NoDefaultLeavesTheClaimAlone) {
  storageClass("plain", "");
  storageClass("notdefault", "false");
  EXPECT_TRUE(at(claim(), "spec.storageClassName").is_null());
}

TEST_F(DefaultStorageClassTest, TheDefaultClassIsSet) {
  storageClass("plain", "");
  storageClass("standard", "true");
  EXPECT_EQ(str(claim(), "spec.storageClassName"), "standard");
}

TEST_F(DefaultStorageClassTest, ClaimsThatNameAClassKeepIt) {
  storageClass("standard", "true");
  EXPECT_EQ(str(claim(R"({"storageClassName":"fast"})"), "spec.storageClassName"), "fast");
  // "" asks for no class at all, and is kept.
  json::object empty = claim(R"({"storageClassName":""})");
  EXPECT_TRUE(at(empty, "spec.storageClassName").is_string());
  EXPECT_EQ(str(empty, "spec.storageClassName"), "");
  json::object beta = claim("{}", R"({"annotations":{"volume.beta.kubernetes.io/storage-class":"old"}})");
  EXPECT_TRUE(at(beta, "spec.storageClassName").is_null());
}

TEST_F(DefaultStorageClassTest, SeveralDefaultsPickTheNewest) {
  storageClass("b", "true");
  storageClass("a", "true");  // same second: the smaller name wins
  EXPECT_EQ(str(claim(), "spec.storageClassName"), "a");
}

}  // namespace
}  // namespace kcpp::apiserver::registry_testing
