#include "streaming/remotecommand.h"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json/parse.hpp>

namespace kcpp::streaming {

namespace asio = boost::asio;
namespace json = boost::json;

std::optional<TerminalSize> parseTerminalSize(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.as_object();
  auto dimension = [&](const char* key) -> std::optional<std::uint16_t> {
    auto it = o.find(key);
    if (it == o.end() || !it->value().is_number()) return std::nullopt;
    auto n = it->value().to_number<double>();
    if (n < 0 || n > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(n);
  };
  auto w = dimension("Width");
  auto h = dimension("Height");
  if (!w || !h) return std::nullopt;
  return TerminalSize{*w, *h};
}

json::object successStatus() {
  return json::object{{"metadata", json::object()}, {"status", "Success"}};
}

json::object exitCodeStatus(int exitCode, const std::vector<std::string>& command) {
  std::string joined;
  for (const auto& word : command) joined += (joined.empty() ? "" : " ") + word;
  std::string code = std::to_string(exitCode);
  return json::object{
      {"metadata", json::object()},
      {"status", "Failure"},
      {"message", "command terminated with non-zero exit code: error executing command [" +
                      joined + "], exit code " + code},
      {"reason", "NonZeroExitCode"},
      {"details", json::object{{"causes", json::array{json::object{{"reason", "ExitCode"},
                                                                   {"message", code}}}}}}};
}

json::object errorStatus(const std::string& message) {
  return json::object{{"metadata", json::object()},
                      {"status", "Failure"},
                      {"message", message},
                      {"reason", "InternalError"},
                      {"code", 500}};
}

namespace {

asio::awaitable<void> pumpStdin(CommandStreams& client, RunningCommand& command) {
  while (auto data = co_await client.readStdin()) {
    if (!co_await command.writeStdin(*data)) break;
  }
  command.closeStdin();
}

asio::awaitable<void> pumpResize(CommandStreams& client, RunningCommand& command) {
  while (auto size = co_await client.nextResize()) command.resize(*size);
}

}  // namespace

asio::awaitable<int> pumpCommand(CommandStreams& client, RunningCommand& command,
                                 const CommandOptions& options) {
  using namespace asio::experimental::awaitable_operators;
  // Input and resizes run beside the output and end with the client's
  // streams, which finish() closes: all of them are awaited before returning,
  // so none outlives `client` or `command`.
  auto inputs = [&]() -> asio::awaitable<void> {
    if (!options.stdin) command.closeStdin();
    if (options.stdin && options.tty) {
      co_await (pumpStdin(client, command) && pumpResize(client, command));
    } else if (options.stdin) {
      co_await pumpStdin(client, command);
    } else if (options.tty) {
      co_await pumpResize(client, command);
    }
  };
  auto out = [&]() -> asio::awaitable<void> {
    while (auto data = co_await command.readStdout()) {
      if (options.stdout) client.writeStdout(*data);
    }
  };
  auto err = [&]() -> asio::awaitable<void> {
    while (auto data = co_await command.readStderr()) {
      if (!options.stderr) continue;
      if (options.tty) {
        client.writeStdout(*data);
      } else {
        client.writeStderr(*data);
      }
    }
  };
  int code = 0;
  auto outputs = [&]() -> asio::awaitable<void> {
    co_await (out() && err());
    code = co_await command.wait();
    auto status = code == 0 ? successStatus() : exitCodeStatus(code, options.command);
    co_await client.finish(status);
  };
  co_await (inputs() && outputs());
  co_return code;
}

}  // namespace kcpp::streaming
