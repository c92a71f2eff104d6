#include "apiserver/admission/podsecurity/policy/policy_test_support.h"

namespace kcpp::apiserver::admission::podsecurity::testing {
namespace {

TEST(HostPathVolumesCheck, BaselineNamesTheVolumes) {
  auto v = find(Level::Baseline, "hostPath volumes", R"({"containers":[{"name":"a"}],
      "volumes":[{"name":"a","hostPath":{"path":"/"}},{"name":"b","emptyDir":{}},
                 {"name":"c","hostPath":{"path":"/etc"}}]})");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->detail, R"(volumes "a", "c")");
  auto one = find(Level::Baseline, "hostPath volumes",
                  R"({"volumes":[{"name":"x","hostPath":{"path":"/"}}]})");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->detail, R"(volume "x")");
}

TEST(RestrictedVolumesCheck, UpstreamsTable) {
  // Every allowed source, then every restricted one and a volume with none.
  std::string spec = R"({"volumes":[
      {"name":"a1","emptyDir":{}},{"name":"a2","secret":{}},{"name":"a3","persistentVolumeClaim":{}},
      {"name":"a4","downwardAPI":{}},{"name":"a5","configMap":{}},{"name":"a6","projected":{}},
      {"name":"a7","csi":{}},{"name":"a8","ephemeral":{}},{"name":"a9","image":{}},
      {"name":"b1","hostPath":{}},{"name":"b2","gcePersistentDisk":{}},
      {"name":"b3","awsElasticBlockStore":{}},{"name":"b4","gitRepo":{}},{"name":"b5","nfs":{}},
      {"name":"b6","iscsi":{}},{"name":"b7","glusterfs":{}},{"name":"b8","rbd":{}},
      {"name":"b9","flexVolume":{}},{"name":"b10","cinder":{}},{"name":"b11","cephfs":{}},
      {"name":"b12","flocker":{}},{"name":"b13","fc":{}},{"name":"b14","azureFile":{}},
      {"name":"b15","vsphereVolume":{}},{"name":"b16","quobyte":{}},{"name":"b17","azureDisk":{}},
      {"name":"b18","photonPersistentDisk":{}},{"name":"b19","portworxVolume":{}},
      {"name":"b20","scaleIO":{}},{"name":"b21","storageos":{}},{"name":"c1"}]})";
  auto v = find(Level::Restricted, "restricted volume types", spec);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->detail,
            R"(volumes "b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8", "b9", "b10", "b11", )"
            R"("b12", "b13", "b14", "b15", "b16", "b17", "b18", "b19", "b20", "b21", "c1" use )"
            R"(restricted volume types "awsElasticBlockStore", "azureDisk", "azureFile", )"
            R"("cephfs", "cinder", "fc", "flexVolume", "flocker", "gcePersistentDisk", "gitRepo", )"
            R"("glusterfs", "hostPath", "iscsi", "nfs", "photonPersistentDisk", "portworxVolume", )"
            R"("quobyte", "rbd", "scaleIO", "storageos", "unknown", "vsphereVolume")");
}

TEST(RestrictedVolumesCheck, ReplacesTheBaselineHostPathCheck) {
  auto violations = evaluate(Level::Restricted,
                             R"({"volumes":[{"name":"h","hostPath":{"path":"/"}}]})");
  bool restrictedTypes = false;
  for (const Violation& v : violations) {
    EXPECT_NE(v.reason, "hostPath volumes");
    if (v.reason == "restricted volume types") {
      restrictedTypes = true;
      EXPECT_EQ(v.detail, R"(volume "h" uses restricted volume type "hostPath")");
    }
  }
  EXPECT_TRUE(restrictedTypes);
}

TEST(RestrictedVolumesCheck, NullSourceIsNoSource) {
  auto v = find(Level::Restricted, "restricted volume types",
                R"({"volumes":[{"name":"n","emptyDir":null}]})");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->detail, R"(volume "n" uses restricted volume type "unknown")");
}

}  // namespace
}  // namespace kcpp::apiserver::admission::podsecurity::testing
