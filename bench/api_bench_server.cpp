#include "api_bench_server.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/http/verb.hpp>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

#include "pki/kubeconfig.h"

extern char** environ;

namespace kcpp::bench {

using namespace std::chrono_literals;

namespace {

Error failure(std::string message) { return makeError(Reason::InternalError, std::move(message)); }

double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string describeStatus(int status) {
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    return "signal " + std::to_string(sig) + " (" + strsignal(sig) + ")" +
           (WCOREDUMP(status) ? ", core dumped" : "");
  }
  return "status " + std::to_string(status);
}

// posix_spawn_file_actions_t as RAII: stdin from /dev/null, stdout and stderr to the
// log, and no other inherited descriptor.
class SpawnActions {
 public:
  explicit SpawnActions(const fs::path& log) {
    posix_spawn_file_actions_init(&actions_);
    posix_spawn_file_actions_addopen(&actions_, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions_, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0644);
    posix_spawn_file_actions_adddup2(&actions_, 1, 2);
    posix_spawn_file_actions_addclosefrom_np(&actions_, 3);
  }
  SpawnActions(const SpawnActions&) = delete;
  SpawnActions& operator=(const SpawnActions&) = delete;
  ~SpawnActions() { posix_spawn_file_actions_destroy(&actions_); }
  const posix_spawn_file_actions_t* get() const { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

std::vector<std::string> serverArgs(const ServerOptions& options, std::uint16_t port) {
  std::vector<std::string> args = {options.binary.string(),
                                   "server",
                                   "--data-dir",
                                   options.dataDir.string(),
                                   "--bind-address",
                                   "127.0.0.1",
                                   "--https-listen-port",
                                   std::to_string(port),
                                   "--write-kubeconfig",
                                   (options.dataDir / "kubeconfig.yaml").string()};
  args.insert(args.end(), options.extraArgs.begin(), options.extraArgs.end());
  return args;
}

}  // namespace

Result<TempDir> TempDir::create(const std::string& prefix) {
  std::error_code ec;
  std::string pattern = (fs::temp_directory_path(ec) / (prefix + "XXXXXX")).string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return failure("mkdtemp " + pattern + ": " + std::strerror(errno));
  }
  return TempDir(fs::path(pattern));
}

TempDir::TempDir(TempDir&& other) noexcept
    : path_(std::exchange(other.path_, {})), keep_(other.keep_) {}

TempDir::~TempDir() {
  if (path_.empty() || keep_) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

Result<std::uint16_t> freeLoopbackPort() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io);
  boost::system::error_code ec;
  acceptor.open(asio::ip::tcp::v4(), ec);
  if (!ec) acceptor.bind({asio::ip::make_address_v4("127.0.0.1"), 0}, ec);
  if (ec) return failure("finding a free port: " + ec.message());
  return acceptor.local_endpoint().port();
}

Result<ServerProcess> ServerProcess::start(const ServerOptions& options) {
  auto port = freeLoopbackPort();
  if (!port) return std::move(port).error();
  std::vector<std::string> args = serverArgs(options, *port);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  SpawnActions actions(options.dataDir / "server.log");
  pid_t pid = -1;
  auto startedAt = Clock::now();
  int rc = posix_spawn(&pid, options.binary.c_str(), actions.get(), nullptr, argv.data(), environ);
  if (rc != 0) return failure("spawning " + options.binary.string() + ": " + std::strerror(rc));
  return ServerProcess(pid, *port, options.dataDir, startedAt);
}

ServerProcess::ServerProcess(pid_t pid, std::uint16_t port, fs::path dataDir,
                             Clock::time_point startedAt)
    : pid_(pid), port_(port), dataDir_(std::move(dataDir)), startedAt_(startedAt) {}

ServerProcess::ServerProcess(ServerProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), port_(other.port_),
      dataDir_(std::move(other.dataDir_)), startedAt_(other.startedAt_),
      exit_(std::move(other.exit_)) {}

ServerProcess::~ServerProcess() {
  if (!running()) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 10000 && running(); ++i) std::this_thread::sleep_for(1ms);
  if (!running()) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  recordExit(status);
}

void ServerProcess::recordExit(int status) {
  exit_ = describeStatus(status);
  pid_ = -1;
}

bool ServerProcess::running() {
  if (pid_ < 0) return false;
  int status = 0;
  pid_t got = waitpid(pid_, &status, WNOHANG);
  if (got == pid_) recordExit(status);
  return pid_ >= 0;
}

std::optional<long> ServerProcess::statusField(const std::string& name) const {
  if (pid_ < 0) return std::nullopt;
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with(name)) return std::atol(line.c_str() + name.size());
  }
  return std::nullopt;
}

std::optional<double> ServerProcess::cpuSeconds() const {
  if (pid_ < 0) return std::nullopt;
  std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto paren = text.rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  // After "pid (comm)": state is field 3; utime and stime are fields 14 and 15.
  std::istringstream fields(text.substr(paren + 1));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i >= 14) ticks += std::atof(field.c_str());
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

asio::awaitable<StopResult> ServerProcess::stop(std::chrono::seconds grace) {
  if (!running()) co_return StopResult{0, "had already exited: " + exit_, false};
  pid_t pid = pid_;
  auto t0 = Clock::now();
  kill(pid, SIGTERM);
  while (running() && Clock::now() - t0 < grace) co_await sleepFor(1ms);
  if (!running()) {
    co_return StopResult{secondsSince(t0), exit_, exit_ == "exit 0"};
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  recordExit(status);
  co_return StopResult{secondsSince(t0), exit_ + " (SIGKILLed after " +
                                             std::to_string(grace.count()) + " s)", false};
}

asio::awaitable<Result<double>> ServerProcess::waitReady(std::chrono::seconds timeout) {
  auto executor = co_await asio::this_coro::executor;
  TlsContextPtr tls;
  ConnectionPtr connection;
  while (true) {
    if (!running()) co_return failure("the server exited before it was ready: " + exit_);
    if (secondsSince(startedAt_) > timeout.count()) {
      co_return failure("/readyz not 200 after " + std::to_string(timeout.count()) + " s");
    }
    if (!connection && fs::exists(kubeconfig())) {
      auto config = pki::readKubeconfig(kubeconfig());
      if (!config) co_return failure("reading the kubeconfig: " + config.error().message);
      auto made = makeClientTls(*config);
      if (!made) co_return failure("client TLS from the kubeconfig: " + made.error().message);
      tls = std::move(*made);
      connection = std::make_unique<Connection>(executor, *tls, endpoint(), 2s);
    }
    if (connection) {
      std::string target = "/readyz";
      auto res = co_await connection->request(beast::http::verb::get, std::move(target));
      if (res.status == 200) co_return secondsSince(startedAt_);
    }
    co_await sleepFor(2ms);
  }
}

std::string tailOfFile(const fs::path& path, std::size_t lines) {
  std::ifstream in(path);
  std::stringstream all;
  all << in.rdbuf();
  std::string text = all.str();
  std::size_t pos = text.size();
  for (std::size_t n = 0; n <= lines && pos > 0; ++n) {
    pos = text.rfind('\n', pos - 1);
    if (pos == std::string::npos) return text;
  }
  return text.substr(pos + 1);
}

}  // namespace kcpp::bench
