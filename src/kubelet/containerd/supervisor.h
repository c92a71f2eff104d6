#pragma once
// ContainerdSupervisor: runs containerd as kcpp's child process, as k3s does.
//
// start() writes the config (runtime_options.h), starts containerd in its own
// session (so a terminal's signals don't reach it) with PR_SET_PDEATHSIG so that
// it dies with kcpp (containers don't: their shims outlive containerd, and a new
// containerd adopts them), waits until it answers CRI Version, and from then on
// restarts it with exponential backoff whenever it dies. stop() sends SIGTERM,
// SIGKILL after the grace period, and removes what containerd 1.6 leaves outside
// its own directories (leftovers.h).
//
// With RuntimeOptions::containerRuntimeEndpoint set, nothing is started: start()
// only waits for that runtime to answer, and endpoint() is that socket.
//
// Use from one executor. PR_SET_PDEATHSIG fires when the *thread* that started
// the child exits: run the executor on a thread that lives as long as kcpp.

#include <sys/types.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <string>

#include "kubelet/containerd/leftovers.h"
#include "kubelet/containerd/runtime_options.h"
#include "util/error.h"

namespace kcpp::kubelet::containerd {

class ContainerdSupervisor {
 public:
  ContainerdSupervisor(boost::asio::any_io_executor executor, RuntimeOptions options, LeftoverDirs leftovers = {});
  // Kills a containerd still running (stop() is the graceful way).
  ~ContainerdSupervisor();
  ContainerdSupervisor(const ContainerdSupervisor&) = delete;
  ContainerdSupervisor& operator=(const ContainerdSupervisor&) = delete;

  boost::asio::awaitable<Result<void>> start();
  boost::asio::awaitable<void> stop();

  bool managed() const;          // false with --container-runtime-endpoint
  std::string endpoint() const;  // unix:///... for the CRI client
  const ContainerdPaths& paths() const;
  pid_t pid() const;             // 0 while no containerd runs
  int restarts() const;
  // From fork to the first answered Version, of the latest (re)start.
  std::chrono::milliseconds lastStartLatency() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};
using ContainerdSupervisorPtr = std::unique_ptr<ContainerdSupervisor>;

}  // namespace kcpp::kubelet::containerd
