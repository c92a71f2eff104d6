// Integration test: the real containerd, started by ContainerdSupervisor inside
// a network namespace this test creates, driven through GrpcRuntimeService.
// Needs root, containerd, runc and gcc (for the test's pause image). Prints the
// measured latencies as "[measure] ..." lines.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <future>
#include <optional>
#include <set>
#include <thread>

#include "kubelet/containerd/supervisor.h"
#include "kubelet/cri/grpc_runtime_service.h"
#include "util/sleep.h"

namespace kcpp::kubelet::containerd {
namespace {
namespace asio = boost::asio;
namespace fs = std::filesystem;
namespace v1 = cri::v1;
using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

std::set<std::string> listDir(const std::string& dir) {
  std::set<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) out.insert(it->path().string());
  return out;
}

// Processes whose command line mentions `needle`.
std::vector<pid_t> processesMentioning(const std::string& needle) {
  std::vector<pid_t> out;
  for (const auto& e : listDir("/proc")) {
    std::string name = fs::path(e).filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(e + "/cmdline");
    std::string cmd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmd.find(needle) != std::string::npos) out.push_back(std::stoi(name));
  }
  return out;
}

int sh(const std::string& cmd) { return std::system(cmd.c_str()); }

class ContainerdIntegration : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    netns = "kcpp-rt-" + std::to_string(::getpid());
    ASSERT_EQ(sh("ip netns add " + netns), 0);
    ASSERT_EQ(sh("ip -n " + netns + " link set lo up"), 0);
    dataDir = "/tmp/kcpp-rt-" + std::to_string(::getpid());
    fs::remove_all(dataDir);
    before.shims = listDir("/run/containerd/s");
    before.fifos = listDir("/run/containerd/fifo");
    // The supervisor's executor runs on one thread for the whole suite (its
    // restart watch never finishes while containerd runs). That thread enters
    // the namespace: containerd is forked from it and inherits it, and its exit
    // would PDEATHSIG containerd.
    io = std::make_unique<asio::io_context>();
    work.emplace(io->get_executor());
    std::promise<int> entered;
    ioThread = std::thread([&entered] {
      int fd = ::open(("/var/run/netns/" + netns).c_str(), O_RDONLY | O_CLOEXEC);
      entered.set_value(::setns(fd, CLONE_NEWNET));
      ::close(fd);
      io->run();
    });
    ASSERT_EQ(entered.get_future().get(), 0);
    RuntimeOptions options;
    options.dataDir = dataDir;
    options.restartBackoff = std::chrono::milliseconds(100);
    options.stopGrace = std::chrono::seconds(5);
    supervisor = std::make_unique<ContainerdSupervisor>(io->get_executor(), options);
  }

  static void TearDownTestSuite() {
    client.reset();
    if (supervisor) runVoid(supervisor->stop());
    supervisor.reset();
    work.reset();
    io->stop();
    if (ioThread.joinable()) ioThread.join();
    io.reset();
    EXPECT_EQ(sh("ip netns delete " + netns), 0);
    EXPECT_FALSE(fs::exists("/var/run/netns/" + netns));
    fs::remove_all(dataDir);
  }

  // Runs a coroutine on the suite's io thread and waits for its result.
  template <class T>
  static T run(asio::awaitable<T> work) {
    std::promise<T> result;
    auto body = [&]() -> asio::awaitable<void> { result.set_value(co_await std::move(work)); };
    asio::co_spawn(*io, body(), asio::detached);
    return result.get_future().get();
  }
  static void runVoid(asio::awaitable<void> work) { asio::co_spawn(*io, std::move(work), asio::use_future).get(); }
  static pid_t supervisedPid() {
    auto read = []() -> asio::awaitable<pid_t> { co_return supervisor->pid(); };
    return run(read());
  }

  static inline std::string netns, dataDir;
  static inline std::thread ioThread;
  static inline std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  static inline struct { std::set<std::string> shims, fifos, cniResults; } before;
  static inline std::unique_ptr<asio::io_context> io;
  static inline std::unique_ptr<ContainerdSupervisor> supervisor;
  static inline cri::GrpcRuntimeServicePtr client;
};

TEST_F(ContainerdIntegration, StartsAndAnswers) {
  auto began = Clock::now();
  auto started = run(supervisor->start());
  ASSERT_TRUE(started.ok()) << started.error().message;
  std::cout << "[measure] containerd start -> CRI Version answering: " << msSince(began) << " ms (supervisor: "
            << supervisor->lastStartLatency().count() << " ms)\n";
  EXPECT_TRUE(supervisor->managed());
  EXPECT_GT(supervisedPid(), 0);
  EXPECT_TRUE(fs::exists(supervisor->paths().config));
  // Its own session: not in our process group.
  EXPECT_EQ(::getsid(supervisedPid()), supervisedPid());
  client = cri::GrpcRuntimeService::connect(supervisor->endpoint()).value();
  v1::VersionRequest req;
  req.set_version("v1");
  auto version = run(client->version(req));
  ASSERT_TRUE(version.ok()) << version.error().message;
  EXPECT_EQ(version->runtime_name(), "containerd");
  EXPECT_EQ(version->runtime_api_version(), "v1");
}

// --container-runtime-endpoint: a second supervisor pointed at the running
// containerd starts nothing and its stop() leaves that runtime alone.
TEST_F(ContainerdIntegration, ExternalEndpointUsesTheGivenRuntime) {
  ASSERT_TRUE(client);
  RuntimeOptions external;
  external.dataDir = dataDir + "/other";
  external.containerRuntimeEndpoint = supervisor->paths().socket;  // a bare path works too
  ContainerdSupervisor other(io->get_executor(), external);
  auto started = run(other.start());
  ASSERT_TRUE(started.ok()) << started.error().message;
  EXPECT_FALSE(other.managed());
  EXPECT_EQ(other.endpoint(), supervisor->endpoint());
  runVoid(other.stop());
  pid_t pid = supervisedPid();
  EXPECT_EQ(::kill(pid, 0), 0);
  EXPECT_FALSE(fs::exists(dataDir + "/other"));
}

TEST_F(ContainerdIntegration, StatusHasConditions) {
  ASSERT_TRUE(client);
  v1::StatusRequest req;
  auto status = run(client->status(req));
  ASSERT_TRUE(status.ok()) << status.error().message;
  std::map<std::string, bool> conditions;
  for (const auto& c : status->status().conditions()) conditions[c.type()] = c.status();
  EXPECT_TRUE(conditions.at("RuntimeReady"));
  // No CNI config was written: containerd reports the network as not ready.
  EXPECT_FALSE(conditions.at("NetworkReady"));
}

TEST_F(ContainerdIntegration, ImagesAndImageFs) {
  ASSERT_TRUE(client);
  v1::ListImagesRequest list;
  auto images = run(client->listImages(list));
  ASSERT_TRUE(images.ok()) << images.error().message;
  v1::ImageFsInfoRequest fsReq;
  auto fsInfo = run(client->imageFsInfo(fsReq));
  ASSERT_TRUE(fsInfo.ok()) << fsInfo.error().message;
  ASSERT_GE(fsInfo->image_filesystems_size(), 1);
  EXPECT_TRUE(fsInfo->image_filesystems(0).fs_id().mountpoint().starts_with(supervisor->paths().root))
      << fsInfo->image_filesystems(0).fs_id().mountpoint();
  v1::ImageStatusRequest statusReq;
  statusReq.mutable_image()->set_image("docker.io/library/absent:1.0");
  auto absent = run(client->imageStatus(statusReq));
  ASSERT_TRUE(absent.ok()) << absent.error().message;
  EXPECT_FALSE(absent->has_image());
}

TEST_F(ContainerdIntegration, PullOfUnreachableImageFails) {
  ASSERT_TRUE(client);
  v1::PullImageRequest req;
  req.mutable_image()->set_image("registry.invalid/kcpp/nothing:1.0");
  auto began = Clock::now();
  auto pulled = run(client->pullImage(req));
  ASSERT_FALSE(pulled.ok());
  std::cout << "[info] pull error after " << msSince(began) << " ms: " << pulled.error().message << "\n";
  EXPECT_NE(pulled.error().message.find("registry.invalid/kcpp/nothing:1.0"), std::string::npos);
  EXPECT_TRUE(pulled.error().message.starts_with("rpc error: code = "));
  EXPECT_LT(msSince(began), 30000);
}

// The test's own pause image (kcpp's real one is built in images/), imported
// with ctr as an air-gapped node would.
TEST_F(ContainerdIntegration, SandboxAndContainerLifecycle) {
  ASSERT_TRUE(client);
  std::string archive = dataDir + "/pause.tar";
  ASSERT_EQ(sh(std::string(KCPP_CONTAINERD_TESTDATA) + "/make_pause_image.sh " + archive), 0);
  ASSERT_EQ(sh("ctr --address " + supervisor->paths().socket + " -n k8s.io images import " + archive + " >/dev/null"), 0);
  v1::ImageStatusRequest imageReq;
  imageReq.mutable_image()->set_image("docker.io/kcpp/pause:3.9");
  auto image = run(client->imageStatus(imageReq));
  ASSERT_TRUE(image.ok() && image->has_image());

  v1::RunPodSandboxRequest runReq;
  auto* config = runReq.mutable_config();
  config->mutable_metadata()->set_name("itest");
  config->mutable_metadata()->set_namespace_("default");
  config->mutable_metadata()->set_uid("0b6a1d52-0000-4000-8000-000000000001");
  // No hostname: a host-network sandbox shares the node's UTS namespace, and
  // runc refuses to set a hostname there (upstream's kubelet leaves it empty too).
  config->set_log_directory(dataDir + "/agent/logs/pods/default_itest_0b6a1d52");
  // Host network: this test writes no CNI config (another room owns it).
  config->mutable_linux()->mutable_security_context()->mutable_namespace_options()->set_network(v1::NODE);
  auto began = Clock::now();
  auto sandbox = run(client->runPodSandbox(runReq));
  ASSERT_TRUE(sandbox.ok()) << sandbox.error().message;
  std::cout << "[measure] RunPodSandbox: " << msSince(began) << " ms\n";
  const std::string sandboxId = sandbox->pod_sandbox_id();

  v1::PodSandboxStatusRequest statusReq;
  statusReq.set_pod_sandbox_id(sandboxId);
  auto status = run(client->podSandboxStatus(statusReq));
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(status->status().state(), v1::SANDBOX_READY);
  EXPECT_EQ(status->status().metadata().name(), "itest");

  v1::CreateContainerRequest createReq;
  createReq.set_pod_sandbox_id(sandboxId);
  *createReq.mutable_sandbox_config() = *config;
  createReq.mutable_config()->mutable_metadata()->set_name("main");
  createReq.mutable_config()->mutable_image()->set_image("docker.io/kcpp/pause:3.9");
  createReq.mutable_config()->set_log_path("main/0.log");
  began = Clock::now();
  auto created = run(client->createContainer(createReq));
  ASSERT_TRUE(created.ok()) << created.error().message;
  v1::StartContainerRequest startReq;
  startReq.set_container_id(created->container_id());
  auto startedC = run(client->startContainer(startReq));
  ASSERT_TRUE(startedC.ok()) << startedC.error().message;
  std::cout << "[measure] CreateContainer+StartContainer: " << msSince(began) << " ms\n";

  v1::ContainerStatusRequest cStatusReq;
  cStatusReq.set_container_id(created->container_id());
  auto cStatus = run(client->containerStatus(cStatusReq));
  ASSERT_TRUE(cStatus.ok());
  EXPECT_EQ(cStatus->status().state(), v1::CONTAINER_RUNNING);

  v1::StopContainerRequest stopC;
  stopC.set_container_id(created->container_id());
  stopC.set_timeout(5);
  ASSERT_TRUE(run(client->stopContainer(stopC)).ok());
  cStatus = run(client->containerStatus(cStatusReq));
  ASSERT_TRUE(cStatus.ok());
  EXPECT_EQ(cStatus->status().state(), v1::CONTAINER_EXITED);
  EXPECT_EQ(cStatus->status().exit_code(), 0);  // the pause process exits 0 on SIGTERM
  v1::RemoveContainerRequest rmC;
  rmC.set_container_id(created->container_id());
  ASSERT_TRUE(run(client->removeContainer(rmC)).ok());

  v1::StopPodSandboxRequest stopReq;
  stopReq.set_pod_sandbox_id(sandboxId);
  auto stopped = run(client->stopPodSandbox(stopReq));
  ASSERT_TRUE(stopped.ok()) << stopped.error().message;
  status = run(client->podSandboxStatus(statusReq));
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->status().state(), v1::SANDBOX_NOTREADY);
  v1::RemovePodSandboxRequest removeReq;
  removeReq.set_pod_sandbox_id(sandboxId);
  ASSERT_TRUE(run(client->removePodSandbox(removeReq)).ok());
  auto gone = run(client->podSandboxStatus(statusReq));
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().reason, Reason::NotFound);
}

// The crun handler is configured (RuntimeClass handler "crun"). crun 1.8 may
// refuse this host's hybrid cgroups (NODE-NOTES); what must not happen is
// containerd not knowing the handler.
TEST_F(ContainerdIntegration, CrunHandlerIsConfigured) {
  ASSERT_TRUE(client);
  v1::RunPodSandboxRequest runReq;
  runReq.set_runtime_handler("crun");
  auto* config = runReq.mutable_config();
  config->mutable_metadata()->set_name("crun");
  config->mutable_metadata()->set_namespace_("default");
  config->mutable_metadata()->set_uid("0b6a1d52-0000-4000-8000-000000000003");
  config->mutable_linux()->mutable_security_context()->mutable_namespace_options()->set_network(v1::NODE);
  auto sandbox = run(client->runPodSandbox(runReq));
  if (!sandbox.ok()) {
    std::cout << "[info] crun sandbox: " << sandbox.error().message << "\n";
    EXPECT_EQ(sandbox.error().message.find("no runtime for"), std::string::npos) << sandbox.error().message;
    return;
  }
  std::cout << "[info] crun sandbox runs on this host\n";
  v1::StopPodSandboxRequest stopReq;
  stopReq.set_pod_sandbox_id(sandbox->pod_sandbox_id());
  EXPECT_TRUE(run(client->stopPodSandbox(stopReq)).ok());
  v1::RemovePodSandboxRequest removeReq;
  removeReq.set_pod_sandbox_id(sandbox->pod_sandbox_id());
  EXPECT_TRUE(run(client->removePodSandbox(removeReq)).ok());
}

// A pod-network sandbox gets its IP from CNI (a test-only bridge conflist: the
// real one is written by src/kubelet/network; ipMasq off, so no iptables).
TEST_F(ContainerdIntegration, PodNetworkSandboxGetsIp) {
  ASSERT_TRUE(client);
  before.cniResults = listDir("/var/lib/cni/results");
  std::ofstream(supervisor->paths().cniConfDir + "/10-itest.conflist")
      << R"({"cniVersion":"0.4.0","name":"kcpp-itest","plugins":[{"type":"bridge","bridge":"kcpptest0",)"
      << R"("isGateway":true,"ipMasq":false,"ipam":{"type":"host-local","ranges":[[{"subnet":"10.244.7.0/24"}]],)"
      << R"("dataDir":")" << dataDir << R"(/agent/cni-ipam"}}]})";
  auto networkReady = []() -> asio::awaitable<bool> {
    for (int i = 0; i < 500; ++i) {
      v1::StatusRequest req;
      auto status = co_await client->status(req);
      if (status) {
        for (const auto& c : status->status().conditions()) {
          if (c.type() == "NetworkReady" && c.status()) co_return true;
        }
      }
      co_await sleepFor(std::chrono::milliseconds(20));
    }
    co_return false;
  };
  ASSERT_TRUE(run(networkReady()));

  v1::RunPodSandboxRequest runReq;
  auto* config = runReq.mutable_config();
  config->mutable_metadata()->set_name("net");
  config->mutable_metadata()->set_namespace_("default");
  config->mutable_metadata()->set_uid("0b6a1d52-0000-4000-8000-000000000002");
  config->set_hostname("net");
  auto began = Clock::now();
  auto sandbox = run(client->runPodSandbox(runReq));
  ASSERT_TRUE(sandbox.ok()) << sandbox.error().message;
  std::cout << "[measure] RunPodSandbox with CNI (bridge + host-local): " << msSince(began) << " ms\n";
  v1::PodSandboxStatusRequest statusReq;
  statusReq.set_pod_sandbox_id(sandbox->pod_sandbox_id());
  auto status = run(client->podSandboxStatus(statusReq));
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(status->status().state(), v1::SANDBOX_READY);
  EXPECT_TRUE(status->status().network().ip().starts_with("10.244.7.")) << status->status().network().ip();

  v1::StopPodSandboxRequest stopReq;
  stopReq.set_pod_sandbox_id(sandbox->pod_sandbox_id());
  ASSERT_TRUE(run(client->stopPodSandbox(stopReq)).ok());
  v1::RemovePodSandboxRequest removeReq;
  removeReq.set_pod_sandbox_id(sandbox->pod_sandbox_id());
  ASSERT_TRUE(run(client->removePodSandbox(removeReq)).ok());
  for (const auto& e : listDir("/var/lib/cni/results")) {
    EXPECT_TRUE(before.cniResults.count(e)) << "CNI DEL left " << e;
  }
}

TEST_F(ContainerdIntegration, RestartedAfterKill) {
  ASSERT_TRUE(client);
  pid_t old = supervisedPid();
  ASSERT_GT(old, 0);
  ASSERT_EQ(::kill(old, SIGKILL), 0);
  auto killedAt = Clock::now();
  auto waitRestart = [&]() -> asio::awaitable<bool> {
    while (Clock::now() - killedAt < std::chrono::seconds(20)) {
      if (supervisor->pid() != 0 && supervisor->pid() != old) {
        v1::VersionRequest req;
        auto v = co_await client->version(req);
        if (v) co_return true;
      }
      co_await sleepFor(std::chrono::milliseconds(20));
    }
    co_return false;
  };
  ASSERT_TRUE(run(waitRestart()));
  std::cout << "[measure] kill -9 -> restarted containerd answering the kubelet's client: " << msSince(killedAt)
            << " ms (restart to Version: " << supervisor->lastStartLatency().count() << " ms)\n";
  EXPECT_EQ(supervisor->restarts(), 1);
  EXPECT_EQ(::kill(old, 0), -1);  // reaped, not a zombie
}

TEST_F(ContainerdIntegration, StopLeavesNothing) {
  ASSERT_TRUE(client);
  pid_t pid = supervisedPid();
  client.reset();
  auto began = Clock::now();
  runVoid(supervisor->stop());
  std::cout << "[measure] stop (SIGTERM -> exited): " << msSince(began) << " ms\n";
  EXPECT_EQ(supervisedPid(), 0);
  EXPECT_EQ(::kill(pid, 0), -1);
  EXPECT_TRUE(processesMentioning(dataDir).empty());  // neither containerd nor shims
  EXPECT_FALSE(fs::exists(supervisor->paths().socket));
  std::ifstream mounts("/proc/self/mountinfo");
  std::string mountinfo((std::istreambuf_iterator<char>(mounts)), std::istreambuf_iterator<char>());
  EXPECT_EQ(mountinfo.find(dataDir), std::string::npos);
  for (const auto& e : listDir("/run/containerd/s")) {
    EXPECT_TRUE(before.shims.count(e) || !processesMentioning(dataDir).empty()) << "stray shim socket " << e;
  }
  for (const auto& e : listDir("/run/containerd/fifo")) {
    EXPECT_TRUE(before.fifos.count(e)) << "stray fifo dir " << e;
  }
}

}  // namespace
}  // namespace kcpp::kubelet::containerd
