#include "scheduler/plugins/volumebinding/volume_binding.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "api/meta/object.h"

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
  std::vector<ObjectPtr> list(const std::string& resource, const std::string&) const override {
    std::vector<ObjectPtr> out;
    for (const auto& [key, o] : objects) {
      if (key.starts_with(resource + "/")) out.push_back(o);
    }
    return out;
  }
  boost::asio::awaitable<Status> updateObject(const std::string& resource, boost::json::object o) override {
    updates.push_back(resource + ":" + boost::json::serialize(o));
    // The PV controller's part, done at once: the claim is bound.
    std::string key = "persistentvolumeclaims/d/" + std::string(api::metaName(o));
    if (resource == "persistentvolumes") {
      key = "persistentvolumeclaims/d/" + std::string(api::getString(o.at("spec").at("claimRef").as_object(), "name"));
    }
    boost::json::object claim = *objects.at(key);
    claim["spec"].as_object()["volumeName"] = "pv-x";
    claim["status"] = boost::json::object{{"phase", "Bound"}};
    objects[key] = std::make_shared<const boost::json::object>(std::move(claim));
    co_return Status::success();
  }
  std::vector<std::string> updates;
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

NodeInfo hostNode(const std::string& name) {
  return testing::node(name, "4", "8Gi", R"({"metadata":{"labels":{"kubernetes.io/hostname":")" + name + R"("}}})");
}

// A WaitForFirstConsumer claim "data" of class `cls`, and the class.
void lateClaim(Objects& objects, const std::string& cls, const std::string& provisioner,
               const std::string& annotations = "{}") {
  objects.add("persistentvolumeclaims/d/data", R"({"metadata":{"name":"data","namespace":"d","uid":"u1","annotations":)" +
                                                   annotations + R"(},"spec":{"storageClassName":")" + cls +
                                                   R"(","accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}})");
  objects.add("storageclasses//" + cls, R"({"metadata":{"name":")" + cls + R"("},"provisioner":")" + provisioner +
                                            R"(","volumeBindingMode":"WaitForFirstConsumer"})");
}

void localVolume(Objects& objects, const std::string& name, const std::string& node, const std::string& size,
                 const std::string& cls = "local") {
  objects.add("persistentvolumes//" + name, R"({"metadata":{"name":")" + name + R"("},"spec":{"storageClassName":")" +
                                                cls + R"(","accessModes":["ReadWriteOnce"],"capacity":{"storage":")" +
                                                size + R"("},"nodeAffinity":{"required":{"nodeSelectorTerms":[
      {"matchExpressions":[{"key":"kubernetes.io/hostname","operator":"In","values":[")" + node +
                                                R"("]}]}]}}},"status":{"phase":"Available"}})");
}

Status runPreBind(VolumeBinding& plugin, std::shared_ptr<CycleState> state, PodInfoPtr pod, const std::string& node) {
  boost::asio::io_context io;
  Status out = Status::error("not run");
  boost::asio::co_spawn(io, [&]() -> boost::asio::awaitable<void> {
    out = co_await plugin.preBind(state, pod, node);
  }, boost::asio::detached);
  io.run();
  return out;
}

TEST(VolumeBinding, WaitForFirstConsumerPicksAStaticLocalVolumeOnTheNode) {
  Objects objects;
  lateClaim(objects, "local", "kubernetes.io/no-provisioner");
  localVolume(objects, "pv-a", "a", "5Gi");
  localVolume(objects, "pv-a-small", "a", "2Gi");
  localVolume(objects, "pv-tiny-b", "b", "100Mi");  // too small for the claim
  NodeInfo a = hostNode("a"), b = hostNode("b");
  objects.snapshot_.nodes = {&a, &b};
  objects.snapshot_.byName = {{"a", &a}, {"b", &b}};
  VolumeBinding plugin(objects, std::chrono::seconds(1));
  auto state = std::make_shared<CycleState>();
  auto pod = withClaim("data");
  ASSERT_TRUE(plugin.preFilter(*state, *pod, objects.snapshot_).ok());
  EXPECT_TRUE(plugin.filter(*state, *pod, a).ok());
  Status onB = plugin.filter(*state, *pod, b);
  EXPECT_EQ(onB.code, Code::UnschedulableAndUnresolvable);
  EXPECT_EQ(onB.message(), "node(s) didn't find available persistent volumes to bind");
  ASSERT_TRUE(plugin.reserve(*state, *pod, "a").ok());
  // Another pod's cycle meanwhile cannot take the reserved (smallest) volume.
  auto other = std::make_shared<CycleState>();
  ASSERT_TRUE(plugin.preFilter(*other, *pod, objects.snapshot_).ok());
  ASSERT_TRUE(plugin.reserve(*other, *pod, "a").ok());
  plugin.unreserve(*other, *pod, "a");
  ASSERT_TRUE(runPreBind(plugin, state, pod, "a").ok());
  ASSERT_EQ(objects.updates.size(), 1u);
  // The smallest volume that fits, bound to the claim through its claimRef.
  EXPECT_TRUE(objects.updates[0].starts_with("persistentvolumes:")) << objects.updates[0];
  EXPECT_NE(objects.updates[0].find(R"("name":"pv-a-small")"), std::string::npos) << objects.updates[0];
  EXPECT_NE(objects.updates[0].find(R"("claimRef":{"kind":"PersistentVolumeClaim","apiVersion":"v1","namespace":"d","name":"data","uid":"u1"})"),
            std::string::npos) << objects.updates[0];
}

TEST(VolumeBinding, WaitForFirstConsumerProvisionsOnTheChosenNode) {
  Objects objects;
  lateClaim(objects, "local-path", "rancher.io/local-path");
  NodeInfo a = hostNode("a");
  objects.snapshot_.nodes = {&a};
  objects.snapshot_.byName = {{"a", &a}};
  VolumeBinding plugin(objects, std::chrono::seconds(1));
  auto state = std::make_shared<CycleState>();
  auto pod = withClaim("data");
  ASSERT_TRUE(plugin.preFilter(*state, *pod, objects.snapshot_).ok());
  EXPECT_TRUE(plugin.filter(*state, *pod, a).ok());
  ASSERT_TRUE(plugin.reserve(*state, *pod, "a").ok());
  ASSERT_TRUE(runPreBind(plugin, state, pod, "a").ok());
  ASSERT_EQ(objects.updates.size(), 1u);
  EXPECT_TRUE(objects.updates[0].starts_with("persistentvolumeclaims:"));
  EXPECT_NE(objects.updates[0].find(R"("volume.kubernetes.io/selected-node":"a")"), std::string::npos)
      << objects.updates[0];
}

TEST(VolumeBinding, SelectedNodeAndAllowedTopologiesLimitTheNodes) {
  Objects objects;
  lateClaim(objects, "local-path", "rancher.io/local-path", R"({"volume.kubernetes.io/selected-node":"b"})");
  NodeInfo a = hostNode("a"), b = hostNode("b");
  VolumeBinding plugin(objects, std::chrono::seconds(1));
  CycleState state;
  auto pod = withClaim("data");
  ASSERT_TRUE(plugin.preFilter(state, *pod, objects.snapshot_).ok());
  EXPECT_FALSE(plugin.filter(state, *pod, a).ok());
  EXPECT_TRUE(plugin.filter(state, *pod, b).ok());
  Objects zoned;
  lateClaim(zoned, "z", "rancher.io/local-path");
  zoned.add("storageclasses//z", R"({"metadata":{"name":"z"},"provisioner":"rancher.io/local-path",
      "volumeBindingMode":"WaitForFirstConsumer","allowedTopologies":[{"matchLabelExpressions":[
        {"key":"kubernetes.io/hostname","values":["a"]}]}]})");
  VolumeBinding zonedPlugin(zoned, std::chrono::seconds(1));
  CycleState zonedState;
  ASSERT_TRUE(zonedPlugin.preFilter(zonedState, *pod, zoned.snapshot_).ok());
  EXPECT_TRUE(zonedPlugin.filter(zonedState, *pod, a).ok());
  EXPECT_FALSE(zonedPlugin.filter(zonedState, *pod, b).ok());
}

TEST(VolumeBinding, ArgsValidated) {
  Objects objects;
  auto bad = VolumeBinding::create(boost::json::parse(R"({"bindTimeoutSeconds":-1})").as_object(), objects);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "bindTimeoutSeconds: Invalid value: -1: invalid BindTimeoutSeconds, should not be a negative value");
}

}  // namespace
}  // namespace kcpp::scheduler::plugins
