// The supervisor's failure paths, without a real containerd (the integration
// test in integration/ runs the real one).
#include "kubelet/containerd/supervisor.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>

#include <filesystem>

#include "util/run_to_completion.h"

namespace kcpp::kubelet::containerd {
namespace {
namespace fs = std::filesystem;

class SupervisorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dataDir = fs::temp_directory_path() / ("kcpp-sup-" + std::to_string(::getpid()));
    fs::remove_all(dataDir);
    options.dataDir = dataDir.string();
    options.startTimeout = std::chrono::milliseconds(300);
  }
  void TearDown() override { fs::remove_all(dataDir); }

  // Leftover tracking pointed at a scratch dir: these tests start no containerd.
  LeftoverDirs scratchLeftovers() const {
    LeftoverDirs d;
    d.shimSockets = (dataDir / "s").string();
    d.fifos = (dataDir / "fifo").string();
    d.cniResults = (dataDir / "results").string();
    d.parents = {};
    return d;
  }

  Result<void> start(ContainerdSupervisor& s) { return runToCompletion(io, s.start()); }

  boost::asio::io_context io;
  fs::path dataDir;
  RuntimeOptions options;
};

TEST_F(SupervisorTest, ExternalEndpointStartsNothing) {
  options.containerRuntimeEndpoint = (dataDir / "absent.sock").string();
  ContainerdSupervisor s(io.get_executor(), options, scratchLeftovers());
  EXPECT_FALSE(s.managed());
  auto r = start(s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, Reason::Timeout);
  EXPECT_EQ(s.endpoint(), "unix://" + (dataDir / "absent.sock").string());
  EXPECT_EQ(s.pid(), 0);
  EXPECT_FALSE(fs::exists(dataDir / "agent"));  // no config written, nothing started
}

TEST_F(SupervisorTest, ExternalEndpointMustBeAUnixSocket) {
  options.containerRuntimeEndpoint = "tcp://127.0.0.1:1234";
  ContainerdSupervisor s(io.get_executor(), options, scratchLeftovers());
  auto r = start(s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, Reason::BadRequest);
}

TEST_F(SupervisorTest, MissingBinary) {
  options.containerdBinary = "kcpp-no-such-containerd";
  ContainerdSupervisor s(io.get_executor(), options, scratchLeftovers());
  auto r = start(s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, Reason::NotFound);
  EXPECT_NE(r.error().message.find("kcpp-no-such-containerd"), std::string::npos);
}

TEST_F(SupervisorTest, DaemonThatDiesAtOnceIsReportedWithItsLog) {
  options.containerdBinary = "sh";  // `sh --config <file>`: complains and exits
  ContainerdSupervisor s(io.get_executor(), options, scratchLeftovers());
  auto r = start(s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, Reason::ServiceUnavailable);
  EXPECT_NE(r.error().message.find("containerd exited (exit status"), std::string::npos) << r.error().message;
  // dash's complaint about the option, read back from the daemon's log file.
  EXPECT_NE(r.error().message.find("Illegal option"), std::string::npos) << r.error().message;
  EXPECT_EQ(s.pid(), 0);
  EXPECT_TRUE(fs::exists(s.paths().config));
}

TEST_F(SupervisorTest, SocketPathTooLong) {
  options.dataDir = (dataDir / std::string(120, 'x')).string();
  ContainerdSupervisor s(io.get_executor(), options, scratchLeftovers());
  auto r = start(s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, Reason::BadRequest);
  EXPECT_NE(r.error().message.find("too long"), std::string::npos);
}

}  // namespace
}  // namespace kcpp::kubelet::containerd
