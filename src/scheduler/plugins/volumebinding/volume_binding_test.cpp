#include "scheduler/plugins/volumebinding/volume_binding.h"

#include <gtest/gtest.h>

#include "scheduler/framework/test_objects.h"

namespace kcpp::scheduler::plugins {
namespace {

class Objects : public Handle {
 public:
  const Snapshot& snapshot() const override { return snapshot_; }
  Framework& framework() override { std::abort(); }
  boost::asio::awaitable<Status> bindPod(const PodInfo&, const std::string&) override { co_return Status::success(); }
  boost::asio::awaitable<Status> deletePod(const PodInfo&, const PodInfo&, const std::string&) override {
    co_return Status::success();
  }
  boost::asio::awaitable<Status> setNominatedNode(const PodInfo&, const std::string&) override {
    co_return Status::success();
  }
  std::vector<PodInfoPtr> nominatedPods(const std::string&) const override { return {}; }
  ObjectPtr lookup(const std::string& resource, const std::string& ns, const std::string& name) const override {
    auto it = objects.find(resource + "/" + ns + "/" + name);
    return it == objects.end() ? nullptr : it->second;
  }
  void add(const std::string& key, std::string_view json) {
    objects[key] = std::make_shared<const boost::json::object>(boost::json::parse(json).as_object());
  }
  Snapshot snapshot_;
  std::map<std::string, ObjectPtr> objects;
};

PodInfoPtr withClaim(const std::string& claim) {
  return testing::pod(R"({"metadata":{"name":"p","namespace":"d"},"spec":{"volumes":[
      {"name":"v","persistentVolumeClaim":{"claimName":")" + claim + R"("}}]}})");
}

TEST(VolumeBinding, MissingAndUnboundClaims) {
  Objects objects;
  objects.add("persistentvolumeclaims/d/unbound", R"({"metadata":{"name":"unbound"},"spec":{}})");
  VolumeBinding plugin(objects);
  CycleState state;
  Status missing = plugin.preFilter(state, *withClaim("nope"), objects.snapshot_);
  EXPECT_EQ(missing.code, Code::UnschedulableAndUnresolvable);
  EXPECT_EQ(missing.message(), "persistentvolumeclaim \"nope\" not found");
  EXPECT_EQ(plugin.preFilter(state, *withClaim("unbound"), objects.snapshot_).message(),
            "pod has unbound immediate PersistentVolumeClaims");
  auto plain = testing::pod(R"({"metadata":{"name":"p","namespace":"d"},"spec":{}})");
  EXPECT_TRUE(plugin.preFilter(state, *plain, objects.snapshot_).isSkip());
}

TEST(VolumeBinding, LocalVolumeNodeAffinity) {
  Objects objects;
  objects.add("persistentvolumeclaims/d/data", R"({"metadata":{"name":"data"},"spec":{"volumeName":"local-1"}})");
  objects.add("persistentvolumes//local-1", R"({"metadata":{"name":"local-1"},"spec":{"nodeAffinity":{"required":{
      "nodeSelectorTerms":[{"matchExpressions":[{"key":"kubernetes.io/hostname","operator":"In","values":["a"]}]}]}}}})");
  VolumeBinding plugin(objects);
  CycleState state;
  auto pod = withClaim("data");
  ASSERT_TRUE(plugin.preFilter(state, *pod, objects.snapshot_).ok());
  NodeInfo a = testing::node("a", "4", "8Gi", R"({"metadata":{"labels":{"kubernetes.io/hostname":"a"}}})");
  NodeInfo b = testing::node("b", "4", "8Gi", R"({"metadata":{"labels":{"kubernetes.io/hostname":"b"}}})");
  EXPECT_TRUE(plugin.filter(state, *pod, a).ok());
  Status s = plugin.filter(state, *pod, b);
  EXPECT_EQ(s.code, Code::UnschedulableAndUnresolvable);
  EXPECT_EQ(s.message(), "node(s) had volume node affinity conflict");
}

}  // namespace
}  // namespace kcpp::scheduler::plugins
