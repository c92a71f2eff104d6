#pragma once
// Runs a helper program (containerd's `ctr`) to completion: argv without a shell,
// bytes fed to its stdin, stdout and stderr captured, killed (by its PID) when it
// outlives its timeout. Blocking: call it from a thread that may block.

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace kcpp::kubelet::images {

struct ProcessOutcome {
  int exitCode = -1;    // -1 when killed by a signal
  int termSignal = 0;   // the signal that ended it, 0 if it exited
  bool timedOut = false;
  std::string out;
  std::string err;
  bool succeeded() const { return exitCode == 0 && !timedOut; }
};

// Supplies the child's stdin piece by piece, so that large inputs (a
// decompressed image archive) never sit in memory whole: the next chunk, an
// empty string at the end, or an Error (the child is then killed and the
// error returned).
using InputSource = std::function<Result<std::string>()>;

// argv[0] is looked up in PATH unless it contains a "/". NotFound if it cannot
// be started (no such program), InternalError for a failed pipe or spawn.
Result<ProcessOutcome> runProcessWithInput(const std::vector<std::string>& argv, InputSource input,
                                           std::chrono::milliseconds timeout);

// The same with all of stdin given at once.
Result<ProcessOutcome> runProcess(const std::vector<std::string>& argv, std::string_view input,
                                  std::chrono::milliseconds timeout);

}  // namespace kcpp::kubelet::images
