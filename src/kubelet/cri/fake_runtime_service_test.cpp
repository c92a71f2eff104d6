#include "kubelet/cri/fake_runtime_service.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "util/run_to_completion.h"

namespace kcpp::kubelet::cri {
namespace {

class FakeRuntimeTest : public ::testing::Test {
 protected:
  template <class T>
  T run(boost::asio::awaitable<T> work) { return runToCompletion(io, std::move(work)); }

  std::string runSandbox(const std::string& name) {
    v1::RunPodSandboxRequest req;
    req.mutable_config()->mutable_metadata()->set_name(name);
    req.mutable_config()->mutable_metadata()->set_namespace_("default");
    (*req.mutable_config()->mutable_labels())["app"] = name;
    auto r = run(fake.runPodSandbox(req));
    EXPECT_TRUE(r.ok());
    return r->pod_sandbox_id();
  }

  Result<std::string> createContainer(const std::string& sandbox, const std::string& name, const std::string& image) {
    v1::CreateContainerRequest req;
    req.set_pod_sandbox_id(sandbox);
    req.mutable_config()->mutable_metadata()->set_name(name);
    req.mutable_config()->mutable_image()->set_image(image);
    auto r = run(fake.createContainer(req));
    if (!r) return std::move(r).error();
    return r->container_id();
  }

  v1::ContainerStatus statusOf(const std::string& id) {
    v1::ContainerStatusRequest req;
    req.set_container_id(id);
    auto r = run(fake.containerStatus(req));
    EXPECT_TRUE(r.ok());
    return r->status();
  }

  void start(const std::string& id) {
    v1::StartContainerRequest req;
    req.set_container_id(id);
    ASSERT_TRUE(run(fake.startContainer(req)).ok());
  }

  boost::asio::io_context io;
  FakeRuntimeService fake;
};

TEST_F(FakeRuntimeTest, SandboxLifecycle) {
  std::string id = runSandbox("web");
  v1::PodSandboxStatusRequest sreq;
  sreq.set_pod_sandbox_id(id);
  auto st = run(fake.podSandboxStatus(sreq));
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->status().state(), v1::SANDBOX_READY);
  EXPECT_EQ(st->status().network().ip(), "10.88.0.2");
  EXPECT_EQ(st->status().metadata().name(), "web");

  v1::RemovePodSandboxRequest rm;
  rm.set_pod_sandbox_id(id);
  EXPECT_EQ(run(fake.removePodSandbox(rm)).error().reason, Reason::Conflict);  // still ready

  v1::StopPodSandboxRequest stop;
  stop.set_pod_sandbox_id(id);
  ASSERT_TRUE(run(fake.stopPodSandbox(stop)).ok());
  EXPECT_EQ(run(fake.podSandboxStatus(sreq))->status().state(), v1::SANDBOX_NOTREADY);
  ASSERT_TRUE(run(fake.removePodSandbox(rm)).ok());
  ASSERT_TRUE(run(fake.removePodSandbox(rm)).ok());  // idempotent
  auto gone = run(fake.podSandboxStatus(sreq));
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().reason, Reason::NotFound);
}

TEST_F(FakeRuntimeTest, ListPodSandboxFilters) {
  runSandbox("a");
  std::string b = runSandbox("b");
  v1::ListPodSandboxRequest req;
  EXPECT_EQ(run(fake.listPodSandbox(req))->items_size(), 2);
  (*req.mutable_filter()->mutable_label_selector())["app"] = "b";
  auto r = run(fake.listPodSandbox(req));
  ASSERT_EQ(r->items_size(), 1);
  EXPECT_EQ(r->items(0).id(), b);
}

TEST_F(FakeRuntimeTest, ContainerNeedsImage) {
  std::string sb = runSandbox("web");
  auto missing = createContainer(sb, "c", "busybox");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().reason, Reason::NotFound);

  v1::PullImageRequest pull;
  pull.mutable_image()->set_image("busybox");
  auto pulled = run(fake.pullImage(pull));
  ASSERT_TRUE(pulled.ok());
  EXPECT_TRUE(pulled->image_ref().starts_with("sha256:"));

  v1::ImageStatusRequest isr;
  isr.mutable_image()->set_image("docker.io/library/busybox:latest");
  auto st = run(fake.imageStatus(isr));
  ASSERT_TRUE(st->has_image());
  EXPECT_EQ(st->image().id(), pulled->image_ref());
  EXPECT_TRUE(createContainer(sb, "c", "busybox:latest").ok());
}

TEST_F(FakeRuntimeTest, ContainerLifecycleAndExitReasons) {
  fake.addImage("docker.io/kcpp/busybox:1.35");
  std::string sb = runSandbox("web");
  std::string id = createContainer(sb, "main", "docker.io/kcpp/busybox:1.35").value();
  EXPECT_EQ(statusOf(id).state(), v1::CONTAINER_CREATED);
  start(id);
  EXPECT_EQ(statusOf(id).state(), v1::CONTAINER_RUNNING);

  fake.exitContainer(id, 137, "OOMKilled");
  auto st = statusOf(id);
  EXPECT_EQ(st.state(), v1::CONTAINER_EXITED);
  EXPECT_EQ(st.exit_code(), 137);
  EXPECT_EQ(st.reason(), "OOMKilled");
  EXPECT_GE(st.finished_at(), st.started_at());

  v1::RemoveContainerRequest rm;
  rm.set_container_id(id);
  ASSERT_TRUE(run(fake.removeContainer(rm)).ok());
  v1::ListContainersRequest list;
  EXPECT_EQ(run(fake.listContainers(list))->containers_size(), 0);
}

TEST_F(FakeRuntimeTest, ExitOnStartAndStop) {
  fake.addImage("busybox");
  std::string sb = runSandbox("web");
  fake.exitOnStart("crash", 1);
  std::string crash = createContainer(sb, "crash", "busybox").value();
  start(crash);
  EXPECT_EQ(statusOf(crash).state(), v1::CONTAINER_EXITED);
  EXPECT_EQ(statusOf(crash).reason(), "Error");

  std::string ok = createContainer(sb, "ok", "busybox").value();
  start(ok);
  v1::StopContainerRequest stop;
  stop.set_container_id(ok);
  stop.set_timeout(30);
  ASSERT_TRUE(run(fake.stopContainer(stop)).ok());
  EXPECT_EQ(statusOf(ok).exit_code(), 143);
  EXPECT_EQ(fake.findContainer(sb, "ok")->id(), ok);
}

TEST_F(FakeRuntimeTest, InjectedErrorsAndCalls) {
  fake.injectError("PullImage", makeError(Reason::Unknown, "rpc error: code = Unknown desc = pull failed"), 2);
  v1::PullImageRequest pull;
  pull.mutable_image()->set_image("nginx");
  EXPECT_FALSE(run(fake.pullImage(pull)).ok());
  EXPECT_FALSE(run(fake.pullImage(pull)).ok());
  EXPECT_TRUE(run(fake.pullImage(pull)).ok());
  EXPECT_EQ(fake.callCount("PullImage"), 3);

  fake.injectError("Version", makeError(Reason::ServiceUnavailable, "down"), -1);
  v1::VersionRequest v;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(run(fake.version(v)).error().reason, Reason::ServiceUnavailable);
  fake.clearErrors();
  EXPECT_EQ(run(fake.version(v))->runtime_api_version(), "v1");
}

TEST_F(FakeRuntimeTest, ExecSyncNeedsRunningContainer) {
  fake.addImage("busybox");
  std::string sb = runSandbox("web");
  std::string id = createContainer(sb, "main", "busybox").value();
  v1::ExecSyncRequest req;
  req.set_container_id(id);
  req.add_cmd("cat");
  EXPECT_EQ(run(fake.execSync(req)).error().reason, Reason::Conflict);
  start(id);
  fake.setExecHandler([](const v1::ContainerStatus& c, const v1::ExecSyncRequest& r) {
    v1::ExecSyncResponse resp;
    resp.set_stdout(c.metadata().name() + ":" + r.cmd(0));
    resp.set_exit_code(3);
    return resp;
  });
  auto r = run(fake.execSync(req));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->stdout(), "main:cat");
  EXPECT_EQ(r->exit_code(), 3);
}

TEST(FakeRuntimeNormalise, ImageReferences) {
  EXPECT_EQ(FakeRuntimeService::normaliseImageRef("busybox"), "docker.io/library/busybox:latest");
  EXPECT_EQ(FakeRuntimeService::normaliseImageRef("kcpp/pause:3.9"), "docker.io/kcpp/pause:3.9");
  EXPECT_EQ(FakeRuntimeService::normaliseImageRef("localhost:5000/x"), "localhost:5000/x:latest");
  EXPECT_EQ(FakeRuntimeService::normaliseImageRef("registry.k8s.io/pause:3.9"), "registry.k8s.io/pause:3.9");
}

}  // namespace
}  // namespace kcpp::kubelet::cri
