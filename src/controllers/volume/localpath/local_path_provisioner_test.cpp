// The local-path provisioner against a real in-process API server, alone and
// with the binder.
#include "controllers/volume/localpath/local_path_provisioner.h"

#include <filesystem>

#include "controllers/volume/persistentvolume/pv_controller.h"
#include "controllers/volume/persistentvolume/pv_util.h"
#include "controllers/volume/persistentvolume/volume_test_fixture.h"
#include "pki/test_temp_dir.h"

namespace kcpp::controllers {
namespace {

using testing::VolumeControllerTest;
namespace asio = boost::asio;
namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

// Runs the binder beside the provisioner under test.
class BothControllers : public Controller {
 public:
  BothControllers(ControllerPtr a, ControllerPtr b, asio::any_io_executor executor)
      : a_(std::move(a)), b_(std::move(b)), executor_(executor) {}
  asio::awaitable<void> run() override {
    asio::co_spawn(executor_, [this]() -> asio::awaitable<void> {
      co_await a_->run();
      aEnded_ = true;
    }, asio::detached);
    co_await b_->run();
    while (!aEnded_) {
      asio::steady_timer timer(executor_, 10ms);
      co_await timer.async_wait(asio::use_awaitable);
    }
  }
  void stop() override {
    a_->stop();
    b_->stop();
  }

 private:
  ControllerPtr a_, b_;
  asio::any_io_executor executor_;
  bool aEnded_ = false;
};

class LocalPathTest : public VolumeControllerTest {
 protected:
  void SetUp() override {
    VolumeControllerTest::SetUp();
    create(client::ResourcePath{"storage.k8s.io", "v1", "storageclasses", "", "", "", ""},
           storageClass("local-path", kLocalPathProvisioner, "WaitForFirstConsumer"));
  }

  ControllerPtr provisioner() {
    LocalPathOptions options;
    options.dir = dir.path().string();
    return std::make_unique<LocalPathProvisioner>(*restClient, *informers, io.get_executor(), options);
  }

  json::object placedClaim(const std::string& name, const std::string& node, bool annotated) {
    json::object pvc = claim(name, "2Gi", "local-path");
    volume::setAnnotation(pvc, volume::kAnnSelectedNode, node);
    if (annotated) volume::setAnnotation(pvc, volume::kAnnStorageProvisioner, kLocalPathProvisioner);
    return pvc;
  }

  pki::TempDir dir;
};

TEST_F(LocalPathTest, ProvisionsAHostPathVolumeOnTheSelectedNode) {
  json::object node{{"apiVersion", "v1"}, {"kind", "Node"},
                    {"metadata", json::object{{"name", "node-1"},
                                              {"labels", json::object{{"kubernetes.io/hostname", "host-1"}}}}}};
  create(client::ResourcePath{"", "v1", "nodes", "", "", "", ""}, node);
  json::object made = create(pvcPath(), placedClaim("data", "node-1", true));
  start(provisioner());
  std::string uid = volume::str(made, "metadata.uid");
  std::string name = "pvc-" + uid;
  server.runFor(5s, [&] { return get(pvPath(name)).has_value(); });
  auto pv = get(pvPath(name));
  ASSERT_TRUE(pv);
  std::string path = (dir.path() / ("pvc-" + uid + "_default_data")).string();
  EXPECT_EQ(volume::str(*pv, "spec.hostPath.path"), path);
  EXPECT_EQ(volume::str(*pv, "spec.hostPath.type"), "DirectoryOrCreate");
  EXPECT_TRUE(fs::is_directory(path));
  EXPECT_EQ(volume::str(*pv, "spec.capacity.storage"), "2Gi");
  EXPECT_EQ(volume::str(*pv, "spec.persistentVolumeReclaimPolicy"), "Delete");
  EXPECT_EQ(volume::str(*pv, "spec.storageClassName"), "local-path");
  EXPECT_EQ(volume::str(*pv, "spec.claimRef.uid"), uid);
  EXPECT_EQ(volume::annotation(*pv, volume::kAnnDynamicallyProvisioned), kLocalPathProvisioner);
  const json::value* values =
      api::findPath(*pv, "spec.nodeAffinity.required.nodeSelectorTerms");
  ASSERT_TRUE(values);
  EXPECT_EQ(json::serialize(*values),
            R"([{"matchExpressions":[{"key":"kubernetes.io/hostname","operator":"In","values":["host-1"]}]}])");
  EXPECT_TRUE(waitEvent("data", "ProvisioningSucceeded"));
}

TEST_F(LocalPathTest, LeavesClaimsNotYetPlacedOrNotItsOwn) {
  create(pvcPath(), placedClaim("unannotated", "node-1", false));  // the binder has not asked
  json::object unplaced = claim("unplaced", "1Gi", "local-path");
  volume::setAnnotation(unplaced, volume::kAnnStorageProvisioner, kLocalPathProvisioner);
  create(pvcPath(), unplaced);
  start(provisioner());
  server.runFor(500ms);
  auto list = server.await(restClient->get(pvPath()));
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->at("items").as_array().empty());
}

TEST_F(LocalPathTest, WithTheBinderBindsThenDeletesVolumeAndDirectory) {
  start(std::make_unique<BothControllers>(
      provisioner(), std::make_unique<PersistentVolumeController>(*restClient, *informers, io.get_executor()),
      io.get_executor()));
  json::object made = create(pvcPath(), placedClaim("data", "node-1", false));
  ASSERT_TRUE(waitField(pvcPath("data"), "status.phase", "Bound"));
  std::string name = "pvc-" + volume::str(made, "metadata.uid");
  EXPECT_EQ(field(pvcPath("data"), "spec.volumeName"), name);
  EXPECT_TRUE(waitField(pvPath(name), "status.phase", "Bound"));
  std::string path = field(pvPath(name), "spec.hostPath.path");
  ASSERT_TRUE(fs::is_directory(path));

  ASSERT_TRUE(server.await(restClient->remove(pvcPath("data"), json::object{})).ok());
  server.runFor(5s, [&] { return !get(pvPath(name)) && !fs::exists(path); });
  EXPECT_FALSE(get(pvPath(name)));
  EXPECT_FALSE(fs::exists(path));
}

}  // namespace
}  // namespace kcpp::controllers
