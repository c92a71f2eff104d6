#include "kubelet/images/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

extern char** environ;

namespace kcpp::kubelet::images {
namespace {

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept { reset(o.release()); return *this; }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  int release() { int fd = fd_; fd_ = -1; return fd; }
  void reset(int fd = -1) { if (fd_ >= 0) ::close(fd_); fd_ = fd; }

 private:
  int fd_ = -1;
};

Error sysError(const std::string& what) {
  return makeError(Reason::InternalError, what + ": " + std::strerror(errno));
}

// posix_spawn's file actions, destroyed with scope.
class FileActions {
 public:
  FileActions() { ::posix_spawn_file_actions_init(&fa_); }
  ~FileActions() { ::posix_spawn_file_actions_destroy(&fa_); }
  FileActions(const FileActions&) = delete;
  FileActions& operator=(const FileActions&) = delete;
  posix_spawn_file_actions_t* get() { return &fa_; }

 private:
  posix_spawn_file_actions_t fa_;
};

struct ChildPipes {
  Fd inParent, inChild;    // a socket pair: send(MSG_NOSIGNAL) cannot raise SIGPIPE
  Fd outParent, outChild;
  Fd errParent, errChild;
};

Result<ChildPipes> makePipes() {
  ChildPipes p;
  int sv[2], out[2], err[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return sysError("socketpair");
  p.inParent.reset(sv[0]);
  p.inChild.reset(sv[1]);
  if (::pipe2(out, O_CLOEXEC) != 0) return sysError("pipe");
  p.outParent.reset(out[0]);
  p.outChild.reset(out[1]);
  if (::pipe2(err, O_CLOEXEC) != 0) return sysError("pipe");
  p.errParent.reset(err[0]);
  p.errChild.reset(err[1]);
  return p;
}

// The child's stdin: the chunk being sent and where the next comes from.
class StdinFeed {
 public:
  explicit StdinFeed(InputSource source) : source_(std::move(source)) {}
  // The bytes still to send; empty once the source is exhausted.
  Result<std::string_view> pending() {
    while (sent_ == chunk_.size() && !done_) {
      auto next = source_();
      if (!next) return std::move(next).error();
      chunk_ = std::move(*next);
      sent_ = 0;
      done_ = chunk_.empty();
    }
    return std::string_view(chunk_).substr(sent_);
  }
  void consumed(std::size_t n) { sent_ += n; }

 private:
  InputSource source_;
  std::string chunk_;
  std::size_t sent_ = 0;
  bool done_ = false;
};

enum class PumpEnd { Done, TimedOut, InputFailed };

// Moves data between the parent's ends and the child until both outputs close
// or the deadline passes.
PumpEnd pump(ChildPipes& p, StdinFeed& feed, ProcessOutcome& o, std::chrono::steady_clock::time_point deadline,
             Error& inputError) {
  char buf[16384];
  while (p.outParent.get() >= 0 || p.errParent.get() >= 0) {
    if (p.inParent.get() >= 0) {
      auto pending = feed.pending();
      if (!pending) {
        inputError = std::move(pending).error();
        return PumpEnd::InputFailed;
      }
      if (pending->empty()) p.inParent.reset();  // EOF for the child
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return PumpEnd::TimedOut;
    pollfd fds[3] = {{p.inParent.get(), POLLOUT, 0}, {p.outParent.get(), POLLIN, 0}, {p.errParent.get(), POLLIN, 0}};
    int n = ::poll(fds, 3, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return PumpEnd::TimedOut;
    if (fds[0].revents) {
      std::string_view pending = *feed.pending();  // non-empty: checked above
      // Never block here: the child may be waiting for us to drain its output.
      ssize_t w = ::send(p.inParent.get(), pending.data(), pending.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w > 0) feed.consumed(static_cast<std::size_t>(w));
      if (w < 0 && errno != EINTR && errno != EAGAIN) p.inParent.reset();  // the child stopped reading
    }
    Fd* readers[2] = {&p.outParent, &p.errParent};
    std::string* sinks[2] = {&o.out, &o.err};
    for (int i = 0; i < 2; ++i) {
      if (!fds[i + 1].revents) continue;
      ssize_t r = ::read(readers[i]->get(), buf, sizeof buf);
      if (r > 0) sinks[i]->append(buf, static_cast<std::size_t>(r));
      if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) readers[i]->reset();
    }
  }
  return PumpEnd::Done;
}

void record(int status, ProcessOutcome& o) {
  if (WIFEXITED(status)) {
    o.exitCode = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    o.termSignal = WTERMSIG(status);
  }
}

// Waits for the child until the deadline (it may have closed its outputs and
// still run), then kills it by its PID.
void reap(pid_t pid, ProcessOutcome& o, std::chrono::steady_clock::time_point deadline) {
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return record(status, o);
    if (r < 0 && errno != EINTR) return;
    if (std::chrono::steady_clock::now() >= deadline) break;
    ::usleep(2000);
  }
  o.timedOut = true;
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  record(status, o);
}

}  // namespace

Result<ProcessOutcome> runProcess(const std::vector<std::string>& argv, std::string_view input,
                                  std::chrono::milliseconds timeout) {
  InputSource once = [input, given = false]() mutable -> Result<std::string> {
    if (std::exchange(given, true)) return std::string();
    return std::string(input);
  };
  return runProcessWithInput(argv, std::move(once), timeout);
}

Result<ProcessOutcome> runProcessWithInput(const std::vector<std::string>& argv, InputSource input,
                                           std::chrono::milliseconds timeout) {
  KCPP_CHECK(!argv.empty(), "runProcess needs a program");
  auto pipes = makePipes();
  if (!pipes) return std::move(pipes).error();
  FileActions fa;
  ::posix_spawn_file_actions_adddup2(fa.get(), pipes->inChild.get(), 0);
  ::posix_spawn_file_actions_adddup2(fa.get(), pipes->outChild.get(), 1);
  ::posix_spawn_file_actions_adddup2(fa.get(), pipes->errChild.get(), 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, args[0], fa.get(), nullptr, args.data(), environ);
  if (rc == ENOENT) return makeError(Reason::NotFound, argv[0] + " not found (is it installed and in PATH?)");
  if (rc != 0) return makeError(Reason::InternalError, "starting " + argv[0] + ": " + std::strerror(rc));
  pipes->inChild.reset();
  pipes->outChild.reset();
  pipes->errChild.reset();

  ProcessOutcome o;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  StdinFeed feed(std::move(input));
  Error inputError;
  PumpEnd end = pump(*pipes, feed, o, deadline, inputError);
  if (end != PumpEnd::Done) deadline = std::chrono::steady_clock::now();  // stop it now
  reap(pid, o, deadline);  // kills our own child, by its PID, once the deadline has passed
  if (end == PumpEnd::InputFailed) return inputError;
  return o;
}

}  // namespace kcpp::kubelet::images
