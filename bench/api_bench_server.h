#pragma once
// The API benchmark's server under test: a `kcpp server` child process on a loopback
// port with its own data dir, its output in a log file, stopped with SIGTERM by PID.

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "api_bench_client.h"
#include "util/error.h"

namespace kcpp::bench {

namespace fs = std::filesystem;

// A fresh directory under the system temp dir, removed (unless kept) on destruction.
class TempDir {
 public:
  static Result<TempDir> create(const std::string& prefix);
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&&) = delete;
  ~TempDir();

  const fs::path& path() const { return path_; }
  void keep() { keep_ = true; }

 private:
  explicit TempDir(fs::path path) : path_(std::move(path)) {}
  fs::path path_;
  bool keep_ = false;
};

// A loopback TCP port nobody listens on right now.
Result<std::uint16_t> freeLoopbackPort();

struct ServerOptions {
  fs::path binary;                 // the kcpp executable
  fs::path dataDir;
  std::vector<std::string> extraArgs;
};

struct StopResult {
  double seconds = 0;   // SIGTERM → exit
  std::string how;      // "exit 0", "signal 9 (killed after timeout)", ...
  bool clean = false;   // exited with status 0 after SIGTERM
};

class ServerProcess {
 public:
  // Spawns the server on a free port; output is appended to <dataDir>/server.log.
  static Result<ServerProcess> start(const ServerOptions& options);
  ServerProcess(ServerProcess&& other) noexcept;
  ServerProcess& operator=(ServerProcess&&) = delete;
  ~ServerProcess();  // SIGTERM (then SIGKILL after 10 s) if still running

  pid_t pid() const { return pid_; }
  Endpoint endpoint() const { return {"127.0.0.1", port_}; }
  fs::path kubeconfig() const { return dataDir_ / "kubeconfig.yaml"; }
  fs::path logFile() const { return dataDir_ / "server.log"; }
  Clock::time_point startedAt() const { return startedAt_; }

  // True while the process runs; once it exited, exitDescription() says how.
  bool running();
  const std::string& exitDescription() const { return exit_; }
  // VmRSS / VmHWM from /proc/PID/status, in KiB.
  std::optional<long> rssKiB() const { return statusField("VmRSS:"); }
  std::optional<long> peakRssKiB() const { return statusField("VmHWM:"); }
  // User + system CPU seconds the process used so far (/proc/PID/stat).
  std::optional<double> cpuSeconds() const;

  asio::awaitable<StopResult> stop(std::chrono::seconds grace = std::chrono::seconds(10));

  // Polls /readyz with the kubeconfig's credentials until it answers 200: the seconds
  // since the spawn, or why it never did.
  asio::awaitable<Result<double>> waitReady(std::chrono::seconds timeout);

 private:
  ServerProcess(pid_t pid, std::uint16_t port, fs::path dataDir, Clock::time_point startedAt);
  std::optional<long> statusField(const std::string& name) const;
  void recordExit(int status);

  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  fs::path dataDir_;
  Clock::time_point startedAt_;
  std::string exit_;
};

// The last `lines` lines of a text file (for reporting a server's death).
std::string tailOfFile(const fs::path& path, std::size_t lines);

}  // namespace kcpp::bench
