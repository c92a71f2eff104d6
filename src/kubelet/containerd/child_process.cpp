#include "kubelet/containerd/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>

extern char** environ;

namespace kcpp::kubelet::containerd {
namespace fs = std::filesystem;

std::string findExecutable(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

namespace {

// Between fork and exec only async-signal-safe calls: everything is prepared before.
[[noreturn]] void execChild(pid_t parent, int devNull, int log, const char* path, char* const* argv) {
  ::setsid();
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(126);  // the parent died before prctl took effect
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &dfl, nullptr);
  }
  ::dup2(devNull, 0);
  ::dup2(log, 1);
  ::dup2(log, 2);
  ::syscall(SYS_close_range, 3U, ~0U, 0U);
  ::execve(path, argv, environ);
  ::_exit(127);
}

}  // namespace

Result<pid_t> spawnDaemon(const SpawnSpec& spec) {
  std::string path = findExecutable(spec.binary);
  if (path.empty()) return makeError(Reason::NotFound, "executable \"" + spec.binary + "\" not found in PATH");
  int log = ::open(spec.logFile.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log < 0) return makeError(Reason::InternalError, "open " + spec.logFile + ": " + std::strerror(errno));
  int devNull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  std::vector<std::string> argStrings{path};
  argStrings.insert(argStrings.end(), spec.args.begin(), spec.args.end());
  std::vector<char*> argv;
  for (auto& a : argStrings) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) execChild(parent, devNull, log, path.c_str(), argv.data());
  int forkErrno = errno;
  ::close(log);
  if (devNull >= 0) ::close(devNull);
  if (pid < 0) return makeError(Reason::InternalError, std::string("fork: ") + std::strerror(forkErrno));
  return pid;
}

std::string lastLines(const std::string& file, int n) {
  std::ifstream in(file);
  std::deque<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(std::move(line));
    if (static_cast<int>(lines.size()) > n) lines.pop_front();
  }
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

std::string describeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const char* name = ::sigabbrev_np(WTERMSIG(status));
    return "signal " + std::to_string(WTERMSIG(status)) + (name ? std::string(" (SIG") + name + ")" : "");
  }
  return "status " + std::to_string(status);
}

}  // namespace kcpp::kubelet::containerd
