// The PersistentVolume binder against a real in-process API server, and the
// matching rules on their own.
#include "controllers/volume/persistentvolume/pv_controller.h"

#include "controllers/volume/persistentvolume/pv_util.h"
#include "controllers/volume/persistentvolume/volume_test_fixture.h"

namespace kcpp::controllers {
namespace {

using testing::VolumeControllerTest;
using client::ObjectPtr;
namespace json = boost::json;
using namespace std::chrono_literals;

json::object parse(const char* text) { return json::parse(text).as_object(); }

TEST(VolumeMatch, ClassModesSizeSelectorAndVolumeMode) {
  json::object pv = parse(R"({"metadata":{"name":"a","labels":{"tier":"fast"}},"spec":{
      "capacity":{"storage":"5Gi"},"accessModes":["ReadWriteOnce","ReadOnlyMany"],"storageClassName":""}})");
  json::object pvc = parse(R"({"metadata":{"name":"c","namespace":"d","uid":"u1"},"spec":{
      "accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"5Gi"}},"storageClassName":""}})");
  EXPECT_FALSE(volume::volumeMismatch(pv, pvc));
  json::object bigger = pvc;
  bigger["spec"].as_object()["resources"] = parse(R"({"requests":{"storage":"5.1Gi"}})");
  EXPECT_EQ(volume::volumeMismatch(pv, bigger), "requested PV is too small");
  json::object otherClass = pvc;
  otherClass["spec"].as_object()["storageClassName"] = "gold";
  EXPECT_TRUE(volume::volumeMismatch(pv, otherClass));
  json::object rwx = pvc;
  rwx["spec"].as_object()["accessModes"] = json::array{"ReadWriteMany"};
  EXPECT_EQ(volume::volumeMismatch(pv, rwx), "incompatible accessMode");
  json::object block = pvc;
  block["spec"].as_object()["volumeMode"] = "Block";
  EXPECT_EQ(volume::volumeMismatch(pv, block), "incompatible volumeMode");
  json::object selecting = pvc;
  selecting["spec"].as_object()["selector"] = parse(R"({"matchLabels":{"tier":"slow"}})");
  EXPECT_TRUE(volume::volumeMismatch(pv, selecting));
  selecting["spec"].as_object()["selector"] = parse(R"({"matchExpressions":[
      {"key":"tier","operator":"In","values":["fast"]}]})");
  EXPECT_FALSE(volume::volumeMismatch(pv, selecting));
}

TEST(VolumeMatch, BestIsPreBoundElseSmallestAvailable) {
  auto pv = [](const char* name, const char* size, const char* extra) {
    std::string text = std::string(R"({"metadata":{"name":")") + name + R"("},"spec":{"capacity":{"storage":")" +
                       size + R"("},"accessModes":["ReadWriteOnce"],"storageClassName":"")" + extra +
                       R"(},"status":{"phase":"Available"}})";
    return std::make_shared<const json::object>(json::parse(text).as_object());
  };
  json::object pvc = parse(R"({"metadata":{"name":"c","namespace":"d","uid":"u1"},"spec":{
      "accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}},"storageClassName":""}})");
  std::vector<ObjectPtr> volumes{pv("big", "10Gi", ""), pv("small", "2Gi", ""), pv("tiny", "500Mi", ""),
                                 pv("taken", "1Gi", R"(,"claimRef":{"namespace":"x","name":"y","uid":"u9"})")};
  EXPECT_EQ(api::metaName(*volume::findBestMatch(volumes, pvc, false, nullptr, "")), "small");
  volumes.push_back(pv("mine", "8Gi", R"(,"claimRef":{"namespace":"d","name":"c"})"));
  EXPECT_EQ(api::metaName(*volume::findBestMatch(volumes, pvc, false, nullptr, "")), "mine");
  // Delayed binding without a node: only the pre-bound volume.
  volumes.pop_back();
  EXPECT_FALSE(volume::findBestMatch(volumes, pvc, true, nullptr, ""));
  // With a node, a volume whose affinity excludes it is skipped.
  volumes.push_back(pv("pinned", "1Gi", R"(,"nodeAffinity":{"required":{"nodeSelectorTerms":[
      {"matchExpressions":[{"key":"kubernetes.io/hostname","operator":"In","values":["n2"]}]}]}})"));
  EXPECT_EQ(api::metaName(*volume::findBestMatch(volumes, pvc, true, nullptr, "n1")), "small");
  EXPECT_EQ(api::metaName(*volume::findBestMatch(volumes, pvc, true, nullptr, "n2")), "pinned");
}

class BinderTest : public VolumeControllerTest {
 protected:
  void startBinder() {
    start(std::make_unique<PersistentVolumeController>(*restClient, *informers, io.get_executor()));
  }
};

TEST_F(BinderTest, BindsTheSmallestFittingVolumeBothWays) {
  create(pvPath(), volume("pv-big", "10Gi"));
  create(pvPath(), volume("pv-small", "5Gi"));
  json::object made = create(pvcPath(), claim("data", "1Gi", ""));
  startBinder();
  ASSERT_TRUE(waitField(pvcPath("data"), "status.phase", "Bound"));
  EXPECT_EQ(field(pvcPath("data"), "spec.volumeName"), "pv-small");
  EXPECT_EQ(field(pvcPath("data"), "status.capacity.storage"), "5Gi");
  EXPECT_EQ(volume::annotation(*get(pvcPath("data")), volume::kAnnBindCompleted), "yes");
  EXPECT_EQ(volume::annotation(*get(pvcPath("data")), volume::kAnnBoundByController), "yes");
  ASSERT_TRUE(waitField(pvPath("pv-small"), "status.phase", "Bound"));
  EXPECT_EQ(field(pvPath("pv-small"), "spec.claimRef.uid"), volume::str(made, "metadata.uid"));
  EXPECT_EQ(field(pvPath("pv-small"), "spec.claimRef.name"), "data");
  EXPECT_EQ(volume::annotation(*get(pvPath("pv-small")), volume::kAnnBoundByController), "yes");
  EXPECT_TRUE(waitField(pvPath("pv-big"), "status.phase", "Available"));
}

TEST_F(BinderTest, UnsatisfiableClaimStaysPendingWithFailedBinding) {
  create(pvPath(), volume("pv", "5Gi"));
  create(pvcPath(), claim("huge", "10Gi", ""));
  startBinder();
  ASSERT_TRUE(waitEvent("huge", "FailedBinding"));
  EXPECT_EQ(field(pvcPath("huge"), "status.phase"), "Pending");
  EXPECT_EQ(field(pvcPath("huge"), "spec.volumeName"), "");
  // A volume that fits, created later, is taken.
  create(pvPath(), volume("pv-large", "20Gi"));
  EXPECT_TRUE(waitField(pvcPath("huge"), "status.phase", "Bound"));
  EXPECT_EQ(field(pvcPath("huge"), "spec.volumeName"), "pv-large");
}

TEST_F(BinderTest, ReclaimRetainReleasesDeleteDeletes) {
  create(pvPath(), volume("kept", "1Gi", "Retain"));
  create(pvcPath(), claim("a", "1Gi", ""));
  startBinder();
  ASSERT_TRUE(waitField(pvcPath("a"), "status.phase", "Bound"));
  ASSERT_TRUE(server.await(restClient->remove(pvcPath("a"), json::object{})).ok());
  EXPECT_TRUE(waitField(pvPath("kept"), "status.phase", "Released"));
  EXPECT_EQ(field(pvPath("kept"), "spec.claimRef.name"), "a");

  create(pvPath(), volume("scratch", "1Gi", "Delete"));
  create(pvcPath(), claim("b", "1Gi", ""));
  ASSERT_TRUE(waitField(pvcPath("b"), "status.phase", "Bound"));
  EXPECT_EQ(field(pvcPath("b"), "spec.volumeName"), "scratch");
  ASSERT_TRUE(server.await(restClient->remove(pvcPath("b"), json::object{})).ok());
  server.runFor(5s, [&] { return !get(pvPath("scratch")); });
  EXPECT_FALSE(get(pvPath("scratch")));
}

TEST_F(BinderTest, PreBoundClaimWaitsForItsVolume) {
  create(pvPath(), volume("other", "1Gi"));
  json::object named = claim("named", "1Gi", "");
  named["spec"].as_object()["volumeName"] = "wanted";
  create(pvcPath(), named);
  startBinder();
  server.runFor(300ms);
  EXPECT_EQ(field(pvcPath("named"), "status.phase"), "Pending");
  EXPECT_EQ(field(pvPath("other"), "spec.claimRef.name"), "");
  create(pvPath(), volume("wanted", "1Gi"));
  ASSERT_TRUE(waitField(pvcPath("named"), "status.phase", "Bound"));
  EXPECT_EQ(field(pvPath("wanted"), "spec.claimRef.name"), "named");
  EXPECT_EQ(volume::annotation(*get(pvcPath("named")), volume::kAnnBoundByController), "");
}

TEST_F(BinderTest, WaitForFirstConsumerThenAsksTheProvisioner) {
  create(client::ResourcePath{"storage.k8s.io", "v1", "storageclasses", "", "", "", ""},
         storageClass("local-path", "rancher.io/local-path", "WaitForFirstConsumer"));
  create(pvcPath(), claim("late", "1Gi", "local-path"));
  startBinder();
  ASSERT_TRUE(waitEvent("late", "WaitForFirstConsumer"));
  EXPECT_EQ(field(pvcPath("late"), "status.phase"), "Pending");
  EXPECT_EQ(volume::annotation(*get(pvcPath("late")), volume::kAnnStorageProvisioner), "");

  json::object placed = *get(pvcPath("late"));
  volume::setAnnotation(placed, volume::kAnnSelectedNode, "node-1");
  ASSERT_TRUE(server.await(restClient->update(pvcPath("late"), placed)).ok());
  ASSERT_TRUE(waitEvent("late", "ExternalProvisioning"));
  json::object annotated = *get(pvcPath("late"));
  EXPECT_EQ(volume::annotation(annotated, volume::kAnnStorageProvisioner), "rancher.io/local-path");
  EXPECT_EQ(volume::annotation(annotated, volume::kAnnBetaStorageProvisioner), "rancher.io/local-path");
}

TEST_F(BinderTest, UnknownClassFailsProvisioning) {
  create(pvcPath(), claim("lost", "1Gi", "no-such-class"));
  startBinder();
  EXPECT_TRUE(waitEvent("lost", "ProvisioningFailed"));
  EXPECT_EQ(field(pvcPath("lost"), "status.phase"), "Pending");
}

TEST_F(BinderTest, BoundClaimWhoseVolumeIsGoneIsLost) {
  create(pvPath(), volume("v", "1Gi"));
  create(pvcPath(), claim("c", "1Gi", ""));
  startBinder();
  ASSERT_TRUE(waitField(pvcPath("c"), "status.phase", "Bound"));
  ASSERT_TRUE(server.await(restClient->remove(pvPath("v"), json::object{})).ok());
  EXPECT_TRUE(waitField(pvcPath("c"), "status.phase", "Lost"));
  EXPECT_TRUE(waitEvent("c", "ClaimLost"));
}

}  // namespace
}  // namespace kcpp::controllers
