#pragma once
// remotecommand: the semantics of exec and attach, whatever the wire (SPDY
// streams or WebSocket channels): which streams the client asked for, the
// running command's I/O, terminal resizes, and the final status on the error
// stream — for v4+ a metav1.Status, with reason NonZeroExitCode and a cause
// "ExitCode" carrying the code, as upstream's kubelet reports it.

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace kcpp::streaming {

// SPDY stream types (the streamType header) and protocol versions.
inline constexpr std::string_view kStreamTypeHeader = "streamType";
inline constexpr std::string_view kStreamTypeStdin = "stdin";
inline constexpr std::string_view kStreamTypeStdout = "stdout";
inline constexpr std::string_view kStreamTypeStderr = "stderr";
inline constexpr std::string_view kStreamTypeError = "error";
inline constexpr std::string_view kStreamTypeResize = "resize";
inline constexpr std::string_view kStreamTypeData = "data";  // port-forward
inline constexpr std::string_view kStreamProtocolHeader = "X-Stream-Protocol-Version";
inline constexpr std::string_view kPortForwardProtocol = "portforward.k8s.io";

struct TerminalSize {
  std::uint16_t width = 0;
  std::uint16_t height = 0;
};
// {"Width":80,"Height":24}; nullopt when not that.
std::optional<TerminalSize> parseTerminalSize(std::string_view json);

// What the client asked for (query: input/output/error/tty as the kubelet
// receives them from the API server; stdin/stdout/stderr/tty as the API
// server receives them from kubectl).
struct CommandOptions {
  bool stdin = false;
  bool stdout = true;
  bool stderr = true;
  bool tty = false;
  std::vector<std::string> command;  // empty for attach
  // Number of client streams to wait for before starting (error always).
  int expectedStreams() const { return 1 + stdin + stdout + (stderr && !tty) + tty; }
};

// The status JSON the error stream carries when the command ended.
boost::json::object successStatus();
boost::json::object exitCodeStatus(int exitCode, const std::vector<std::string>& command);
boost::json::object errorStatus(const std::string& message);

// The client's side of an exec/attach: its streams, whatever the wire.
class CommandStreams {
 public:
  virtual ~CommandStreams() = default;
  // Input from the client; nullopt once stdin ended (or was never asked for).
  virtual boost::asio::awaitable<std::optional<std::string>> readStdin() = 0;
  virtual void writeStdout(std::string_view data) = 0;
  virtual void writeStderr(std::string_view data) = 0;
  // The next resize; nullopt when there will be none.
  virtual boost::asio::awaitable<std::optional<TerminalSize>> nextResize() = 0;
  // Writes the status on the error stream, closes every stream and the
  // connection once written.
  virtual boost::asio::awaitable<void> finish(const boost::json::object& status) = 0;
};

// A command running in a container (the runtime side). Reads come from its
// stdout/stderr; exitCode() resolves once it ended and its output was read.
class RunningCommand {
 public:
  virtual ~RunningCommand() = default;
  virtual boost::asio::awaitable<std::optional<std::string>> readStdout() = 0;
  virtual boost::asio::awaitable<std::optional<std::string>> readStderr() = 0;
  virtual boost::asio::awaitable<bool> writeStdin(std::string_view data) = 0;
  virtual void closeStdin() = 0;
  virtual void resize(TerminalSize size) = 0;
  virtual boost::asio::awaitable<int> wait() = 0;
};
using RunningCommandPtr = std::unique_ptr<RunningCommand>;

// Pumps the client's streams to and from `command` until it ended, then
// reports its exit status. Returns the exit code.
boost::asio::awaitable<int> pumpCommand(CommandStreams& client, RunningCommand& command,
                                        const CommandOptions& options);

}  // namespace kcpp::streaming
