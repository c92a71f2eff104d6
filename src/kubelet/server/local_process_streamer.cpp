#include "kubelet/server/local_process_streamer.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstring>

extern char** environ;

namespace kcpp::kubelet::server {

namespace asio = boost::asio;
namespace json = boost::json;
using streaming::RunningCommand;
using streaming::RunningCommandPtr;

namespace {

class LocalProcess : public RunningCommand {
 public:
  LocalProcess(const asio::any_io_executor& executor, pid_t pid, int in, int out, int err)
      : pid_(pid), stdin_(executor, in), stdout_(executor, out), stderr_(executor, err),
        timer_(executor) {}

  ~LocalProcess() override {
    if (!reaped_) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }

  asio::awaitable<std::optional<std::string>> readStdout() override { return readFrom(stdout_); }
  asio::awaitable<std::optional<std::string>> readStderr() override { return readFrom(stderr_); }

  asio::awaitable<bool> writeStdin(std::string_view data) override {
    if (!stdin_.is_open()) co_return false;
    boost::system::error_code ec;
    co_await asio::async_write(stdin_, asio::buffer(data.data(), data.size()),
                               asio::redirect_error(asio::use_awaitable, ec));
    co_return !ec;
  }

  void closeStdin() override {
    boost::system::error_code ec;
    stdin_.close(ec);
  }

  void resize(streaming::TerminalSize) override {}  // pipes, not a terminal

  asio::awaitable<int> wait() override {
    while (!reaped_) {
      int status = 0;
      pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        reaped_ = true;
        exitCode_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        break;
      }
      if (r < 0) {
        reaped_ = true;
        exitCode_ = 1;
        break;
      }
      timer_.expires_after(std::chrono::milliseconds(5));
      boost::system::error_code ec;
      co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    co_return exitCode_;
  }

 private:
  static asio::awaitable<std::optional<std::string>> readFrom(asio::posix::stream_descriptor& d) {
    std::array<char, 16 * 1024> buf;
    boost::system::error_code ec;
    std::size_t n = co_await d.async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
    if (n == 0) co_return std::nullopt;
    co_return std::string(buf.data(), n);
  }

  pid_t pid_;
  asio::posix::stream_descriptor stdin_, stdout_, stderr_;
  asio::steady_timer timer_;
  bool reaped_ = false;
  int exitCode_ = 0;
};

class LoopbackDialer : public streaming::PortDialer {
 public:
  explicit LoopbackDialer(asio::any_io_executor executor) : executor_(std::move(executor)) {}

  asio::awaitable<Result<streaming::ByteStreamPtr>> dial(std::uint16_t port) override {
    asio::ip::tcp::socket socket(executor_);
    boost::system::error_code ec;
    asio::ip::tcp::endpoint endpoint(asio::ip::address_v4::loopback(), port);
    co_await socket.async_connect(endpoint, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return makeError(Reason::InternalError, "dial tcp 127.0.0.1:" + std::to_string(port) + ": " + ec.message());
    co_return streaming::ByteStreamPtr(
        std::make_unique<streaming::AsioByteStream<asio::ip::tcp::socket>>(std::move(socket)));
  }

  void shutdownWrite(streaming::ByteStream& stream) override {
    auto* tcp = dynamic_cast<streaming::AsioByteStream<asio::ip::tcp::socket>*>(&stream);
    boost::system::error_code ec;
    if (tcp) tcp->stream().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  }

 private:
  asio::any_io_executor executor_;
};

const json::object* findContainer(const json::object& pod, const std::string& name) {
  auto* spec = pod.if_contains("spec");
  if (!spec || !spec->is_object()) return nullptr;
  auto* containers = spec->as_object().if_contains("containers");
  if (!containers || !containers->is_array()) return nullptr;
  for (const auto& c : containers->as_array()) {
    if (c.is_object() && c.as_object().if_contains("name") && c.as_object().at("name") == name.c_str()) {
      return &c.as_object();
    }
  }
  return nullptr;
}

}  // namespace

Result<RunningCommandPtr> startLocalProcess(const asio::any_io_executor& executor,
                                            const std::vector<std::string>& argv) {
  if (argv.empty()) return makeError(Reason::BadRequest, "no command given");
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    return makeError(Reason::InternalError, std::string("pipe: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    ::close(in[1]);
    ::close(out[0]);
    ::close(err[0]);
    // As runc words a missing executable.
    return makeError(Reason::InternalError,
                     "exec: \"" + argv[0] + "\": executable file not found in $PATH");
  }
  return RunningCommandPtr(std::make_unique<LocalProcess>(executor, pid, in[1], out[0], err[0]));
}

asio::awaitable<Result<RunningCommandPtr>> LocalProcessStreamer::exec(
    const json::object&, const std::string&, const streaming::CommandOptions& options) {
  co_return startLocalProcess(executor_, options.command);
}

asio::awaitable<Result<RunningCommandPtr>> LocalProcessStreamer::attach(
    const json::object& pod, const std::string& container, const streaming::CommandOptions&) {
  const json::object* c = findContainer(pod, container);
  std::vector<std::string> argv;
  for (const char* key : {"command", "args"}) {
    if (!c) break;
    if (auto* list = c->if_contains(key); list && list->is_array()) {
      for (const auto& a : list->as_array()) {
        if (a.is_string()) argv.emplace_back(a.as_string());
      }
    }
  }
  if (argv.empty()) co_return makeError(Reason::BadRequest, "container " + container + " has no command to attach to");
  co_return startLocalProcess(executor_, argv);
}

Result<std::unique_ptr<streaming::PortDialer>> LocalProcessStreamer::portDialer(const json::object&) {
  return std::unique_ptr<streaming::PortDialer>(std::make_unique<LoopbackDialer>(executor_));
}

}  // namespace kcpp::kubelet::server
