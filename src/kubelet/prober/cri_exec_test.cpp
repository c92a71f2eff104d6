// Exec probes over the CRI interface, against the in-memory fake runtime.
#include "kubelet/prober/cri_exec.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "kubelet/cri/fake_runtime_service.h"
#include "util/run_to_completion.h"

namespace kcpp::kubelet::prober {
namespace {

using namespace std::chrono_literals;
namespace v1 = cri::v1;

class CriExecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    v1::RunPodSandboxRequest sandbox;
    sandbox.mutable_config()->mutable_metadata()->set_name("web");
    sandbox.mutable_config()->mutable_metadata()->set_namespace_("default");
    auto s = runToCompletion(io, fake.runPodSandbox(sandbox));
    ASSERT_TRUE(s.ok());
    v1::CreateContainerRequest create;
    create.set_pod_sandbox_id(s->pod_sandbox_id());
    create.mutable_config()->mutable_metadata()->set_name("app");
    create.mutable_config()->mutable_image()->set_image("busybox");
    fake.addImage("busybox");
    auto c = runToCompletion(io, fake.createContainer(create));
    ASSERT_TRUE(c.ok()) << c.error().message;
    id = c->container_id();
    v1::StartContainerRequest start;
    start.set_container_id(id);
    ASSERT_TRUE(runToCompletion(io, fake.startContainer(start)).ok());
  }
  Result<ExecResult> exec(std::chrono::milliseconds timeout) {
    ExecFunction f = criExec(fake);
    std::vector<std::string> cmd{"cat", "/tmp/healthy"};
    return runToCompletion(io, f(id, cmd, timeout));
  }
  boost::asio::io_context io;
  cri::FakeRuntimeService fake;
  std::string id;
};

TEST_F(CriExecTest, PassesCommandAndTimeoutAndReturnsOutput) {
  v1::ExecSyncRequest seen;
  fake.setExecHandler([&](const v1::ContainerStatus&, const v1::ExecSyncRequest& req) {
    seen = req;
    v1::ExecSyncResponse resp;
    resp.set_exit_code(1);
    resp.set_stdout("out ");
    resp.set_stderr("cat: can't open '/tmp/healthy'");
    return resp;
  });
  auto r = exec(1500ms);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->exitCode, 1);
  EXPECT_EQ(r->output, "out cat: can't open '/tmp/healthy'");
  EXPECT_FALSE(r->timedOut);
  EXPECT_EQ(seen.container_id(), id);
  ASSERT_EQ(seen.cmd_size(), 2);
  EXPECT_EQ(seen.cmd(1), "/tmp/healthy");
  EXPECT_EQ(seen.timeout(), 2);  // whole seconds, rounded up
}

TEST_F(CriExecTest, DeadlineExceededIsATimeoutOtherErrorsAreErrors) {
  fake.injectError("ExecSync", makeError(Reason::Timeout, "context deadline exceeded"));
  auto t = exec(1s);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->timedOut);
  fake.injectError("ExecSync", makeError(Reason::NotFound, "container not found"));
  EXPECT_FALSE(exec(1s).ok());
}

}  // namespace
}  // namespace kcpp::kubelet::prober
