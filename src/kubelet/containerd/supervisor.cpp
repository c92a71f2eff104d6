#include "kubelet/containerd/supervisor.h"

#include <signal.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>

#include "kubelet/containerd/child_process.h"
#include "kubelet/cri/grpc_runtime_service.h"
#include "util/sleep.h"

namespace kcpp::kubelet::containerd {
namespace asio = boost::asio;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct ContainerdSupervisor::State {
  asio::any_io_executor executor;
  RuntimeOptions options;
  ContainerdPaths paths;
  LeftoverTracker leftovers;
  std::string endpoint;
  bool managed = true;

  pid_t pid = 0;  // the running containerd, 0 when none
  int pidfd = -1;
  Clock::time_point startedAt;
  int lastStatus = 0;
  bool stopping = false;
  bool watching = false;
  int restarts = 0;
  milliseconds startLatency{0};

  // Reaps the child if it exited; true when no child runs.
  bool reap() {
    if (pid == 0) return true;
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == 0) return false;
    lastStatus = r == pid ? status : 0;
    if (pidfd >= 0) ::close(pidfd);
    pidfd = -1;
    pid = 0;
    ::unlink(paths.pidFile.c_str());
    return true;
  }
};

namespace {
using State = ContainerdSupervisor::State;
using StatePtr = std::shared_ptr<State>;

Result<void> writeFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::trunc);
  out << content;
  out.close();
  if (!out) return makeError(Reason::InternalError, "cannot write " + path);
  return {};
}

// A containerd left running by a kcpp that was killed (and whose thread's
// PDEATHSIG did not reach it) holds our directories: stop it first.
void stopSurvivor(const State& s) {
  std::ifstream in(s.paths.pidFile);
  pid_t pid = 0;
  if (!(in >> pid) || pid <= 1) return;
  std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline");
  std::string args((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
  if (args.find(s.paths.config) == std::string::npos) return;
  spdlog::warn("containerd: stopping pid {} left from a previous run", pid);
  ::kill(pid, SIGKILL);
  for (int i = 0; i < 200 && fs::exists("/proc/" + std::to_string(pid)); ++i) ::usleep(10000);
}

Result<void> launch(State& s) {
  std::error_code ec;
  for (const auto& dir : {s.paths.root, s.paths.state, s.paths.cniConfDir}) fs::create_directories(dir, ec);
  if (s.paths.socket.size() >= sizeof(sockaddr_un::sun_path)) {
    return makeError(Reason::BadRequest, "containerd socket path \"" + s.paths.socket +
                                             "\" is too long for a unix socket: use a shorter --data-dir");
  }
  auto written = writeFile(s.paths.config, containerdConfigToml(s.options, s.paths));
  if (!written) return written;
  stopSurvivor(s);
  // A socket left by a containerd that was killed would make the readiness
  // probe connect to nothing and back off: only the new one counts.
  fs::remove(s.paths.socket, ec);
  SpawnSpec spec{s.options.containerdBinary, {"--config", s.paths.config}, s.paths.log};
  auto pid = spawnDaemon(spec);
  if (!pid) return std::move(pid).error();
  s.pid = *pid;
  s.pidfd = static_cast<int>(::syscall(SYS_pidfd_open, s.pid, 0));
  s.startedAt = Clock::now();
  (void)writeFile(s.paths.pidFile, std::to_string(s.pid) + "\n");
  spdlog::info("containerd: started pid {} (config {}, log {})", s.pid, s.paths.config, s.paths.log);
  return {};
}

// Until the runtime answers CRI Version, the child dies, or the deadline passes.
asio::awaitable<Result<void>> waitReady(StatePtr s, Clock::time_point deadline) {
  std::string socketPath = s->endpoint.substr(std::string("unix://").size());
  cri::GrpcClientOptions clientOptions;
  clientOptions.runtimeRequestTimeout = milliseconds(1000);
  cri::GrpcRuntimeServicePtr client;
  Error last = makeError(Reason::ServiceUnavailable, "socket " + socketPath + " does not exist");
  while (Clock::now() < deadline) {
    if (s->managed && s->reap()) {
      co_return makeError(Reason::ServiceUnavailable,
                          "containerd exited (" + describeWaitStatus(s->lastStatus) + ") before answering; its log:\n" +
                              lastLines(s->paths.log, 15));
    }
    std::error_code ec;
    if (!client && fs::exists(socketPath, ec)) client = cri::GrpcRuntimeService::connect(s->endpoint, clientOptions).value();
    if (client) {
      cri::v1::VersionRequest req;
      req.set_version("v1");
      auto version = co_await client->version(req);
      if (version) co_return Result<void>();
      last = std::move(version).error();
      client.reset();  // a fresh channel next time, not one in reconnect backoff
    }
    co_await sleepFor(milliseconds(10));
  }
  co_return makeError(Reason::Timeout, "container runtime at " + s->endpoint + " did not answer: " + last.message);
}

asio::awaitable<void> waitExit(StatePtr s) {
  while (!s->reap()) {
    if (s->pidfd < 0) {  // no pidfd (kernel < 5.3): poll
      co_await sleepFor(milliseconds(100));
      continue;
    }
    asio::posix::stream_descriptor exited(s->executor, ::dup(s->pidfd));
    boost::system::error_code ec;
    co_await exited.async_wait(asio::posix::descriptor_base::wait_read,
                               asio::redirect_error(asio::use_awaitable, ec));
  }
}

// Keeps containerd running until stop(): restarts it with doubling backoff,
// reset once a containerd ran for a minute.
asio::awaitable<void> watch(StatePtr s) {
  milliseconds backoff = s->options.restartBackoff;
  while (!s->stopping) {
    if (s->pid != 0) {
      co_await waitExit(s);
      if (s->stopping) break;
      if (Clock::now() - s->startedAt > std::chrono::minutes(1)) backoff = s->options.restartBackoff;
      spdlog::warn("containerd: exited ({}); restarting in {} ms", describeWaitStatus(s->lastStatus), backoff.count());
    }
    co_await sleepFor(backoff);
    backoff = std::min(backoff * 2, s->options.maxRestartBackoff);
    if (s->stopping) break;
    auto launched = launch(*s);
    if (!launched) {
      spdlog::error("containerd: restart failed: {}", launched.error().message);
      continue;
    }
    ++s->restarts;
    auto began = Clock::now();
    auto ready = co_await waitReady(s, began + s->options.startTimeout);
    if (ready) {
      s->startLatency = std::chrono::duration_cast<milliseconds>(Clock::now() - began);
      spdlog::info("containerd: restarted, answering after {} ms", s->startLatency.count());
    } else if (!s->stopping) {
      spdlog::error("containerd: restarted but not answering: {}", ready.error().message);
    }
  }
  s->watching = false;
}

}  // namespace

ContainerdSupervisor::ContainerdSupervisor(asio::any_io_executor executor, RuntimeOptions options,
                                           LeftoverDirs leftovers)
    : state_(std::make_shared<State>()) {
  auto& s = *state_;
  s.executor = std::move(executor);
  s.options = std::move(options);
  s.paths = containerdPaths(s.options);
  s.leftovers = LeftoverTracker(std::move(leftovers));
  s.managed = s.options.containerRuntimeEndpoint.empty();
  s.endpoint = s.managed ? "unix://" + s.paths.socket : s.options.containerRuntimeEndpoint;
}

ContainerdSupervisor::~ContainerdSupervisor() {
  auto& s = *state_;
  s.stopping = true;
  if (s.pid != 0) {
    ::kill(s.pid, SIGKILL);
    int status = 0;
    ::waitpid(s.pid, &status, 0);
    if (s.pidfd >= 0) ::close(s.pidfd);
    s.pid = 0;
    ::unlink(s.paths.pidFile.c_str());
  }
}

asio::awaitable<Result<void>> ContainerdSupervisor::start() {
  auto s = state_;
  auto began = Clock::now();
  auto deadline = began + s->options.startTimeout;
  if (!s->managed) {
    auto endpoint = cri::normaliseCriEndpoint(s->options.containerRuntimeEndpoint);
    if (!endpoint) co_return std::move(endpoint).error();
    s->endpoint = *endpoint;
    co_return co_await waitReady(s, deadline);
  }
  s->leftovers.snapshot();
  s->stopping = false;
  auto launched = launch(*s);
  if (!launched) co_return launched;
  auto ready = co_await waitReady(s, deadline);
  if (!ready) {
    co_await stop();
    co_return ready;
  }
  s->startLatency = std::chrono::duration_cast<milliseconds>(Clock::now() - began);
  spdlog::info("containerd: answering on {} after {} ms", s->endpoint, s->startLatency.count());
  s->watching = true;
  asio::co_spawn(s->executor, watch(s), asio::detached);
  co_return Result<void>();
}

asio::awaitable<void> ContainerdSupervisor::stop() {
  auto s = state_;
  if (!s->managed) co_return;
  s->stopping = true;
  if (s->pid != 0) {
    pid_t pid = s->pid;
    ::kill(pid, SIGTERM);
    auto killAt = Clock::now() + s->options.stopGrace;
    while (!s->reap() && Clock::now() < killAt) co_await sleepFor(milliseconds(10));
    if (s->pid != 0) {
      spdlog::warn("containerd: pid {} still running after {} ms: SIGKILL", pid, s->options.stopGrace.count());
      ::kill(pid, SIGKILL);
      while (!s->reap()) co_await sleepFor(milliseconds(10));
    }
    spdlog::info("containerd: pid {} stopped ({})", pid, describeWaitStatus(s->lastStatus));
  }
  std::error_code ec;
  fs::remove(s->paths.socket, ec);
  fs::remove(s->paths.socket + ".ttrpc", ec);
  for (const auto& removed : s->leftovers.cleanup()) spdlog::debug("containerd: removed leftover {}", removed);
}

bool ContainerdSupervisor::managed() const { return state_->managed; }
std::string ContainerdSupervisor::endpoint() const { return state_->endpoint; }
const ContainerdPaths& ContainerdSupervisor::paths() const { return state_->paths; }
pid_t ContainerdSupervisor::pid() const { return state_->pid; }
int ContainerdSupervisor::restarts() const { return state_->restarts; }
milliseconds ContainerdSupervisor::lastStartLatency() const { return state_->startLatency; }

}  // namespace kcpp::kubelet::containerd
