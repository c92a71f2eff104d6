#pragma once
// Starting a daemon as kcpp's child: its own session, killed if kcpp dies,
// stdin from /dev/null, stdout and stderr appended to a log file.

#include <sys/types.h>

#include <string>
#include <vector>

#include "util/error.h"

namespace kcpp::kubelet::containerd {

struct SpawnSpec {
  std::string binary;              // a path, or a name looked up in PATH
  std::vector<std::string> args;   // without argv[0]
  std::string logFile;
};

Result<pid_t> spawnDaemon(const SpawnSpec& spec);

// The executable `name` resolves to through PATH ("" when none); a name with a
// slash is returned as is.
std::string findExecutable(const std::string& name);

// The last `n` lines of a file (for error messages about a daemon that died).
std::string lastLines(const std::string& file, int n);

// "exit status 1", "signal 9 (SIGKILL)" for a waitpid status.
std::string describeWaitStatus(int status);

}  // namespace kcpp::kubelet::containerd
