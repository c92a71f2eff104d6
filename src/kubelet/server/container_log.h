#pragma once
// Container logs as the CRI runtime writes them and the kubelet serves them:
// files <logs>/pods/<ns>_<name>_<uid>/<container>/<restart>.log, one entry a
// line, "<RFC3339Nano time> <stdout|stderr> <F|P> <text>" (P: a partial line
// continued by the next entry). The query options and their validation are
// upstream's PodLogOptions.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "streaming/log_options.h"
#include "util/error.h"

namespace kcpp::kubelet::server {

using streaming::LogOptions;
using streaming::LogTime;

struct LogEntry {
  LogTime time;
  std::string timestamp;  // as written
  std::string stream;     // stdout | stderr
  bool partial = false;
  std::string text;       // without the newline
};

// Parses one line of a CRI log file; nullopt for a line that is not one.
std::optional<LogEntry> parseCriLogLine(std::string_view line);
// The log files of one container, by restart count (ascending).
std::vector<std::filesystem::path> containerLogFiles(const std::filesystem::path& containerDir);

// Reads one log file as `options` ask and hands the output to `write` (false:
// stop, the client went away). With follow it keeps reading what is appended
// until `stillRunning` answers false (then drains) or `write` fails.
class LogStreamer {
 public:
  using Write = std::function<boost::asio::awaitable<bool>(std::string)>;
  LogStreamer(LogOptions options, std::chrono::milliseconds pollInterval,
              std::function<bool()> stillRunning)
      : options_(std::move(options)), pollInterval_(pollInterval),
        stillRunning_(std::move(stillRunning)) {}

  boost::asio::awaitable<Result<void>> stream(const std::filesystem::path& file, Write write);

 private:
  // Formats an entry; false once limitBytes is reached.
  bool format(const LogEntry& entry, std::string& out);

  LogOptions options_;
  std::chrono::milliseconds pollInterval_;
  std::function<bool()> stillRunning_;
  std::optional<LogTime> since_;
  bool atLineStart_ = true;
  std::int64_t written_ = 0;
};

}  // namespace kcpp::kubelet::server
