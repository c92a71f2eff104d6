#pragma once
// The two wire forms of CommandStreams: SPDY streams (one per streamType) and
// WebSocket channels.

#include <chrono>
#include <memory>

#include "streaming/channel_protocol.h"
#include "streaming/message_transport.h"
#include "streaming/remotecommand.h"
#include "streaming/spdy_connection.h"

namespace kcpp::streaming {

// Waits (up to `timeout`) for the streams the client opens for `options` on
// `connection`, as upstream's kubelet does before starting the command.
boost::asio::awaitable<Result<std::unique_ptr<CommandStreams>>> acceptSpdyCommandStreams(
    spdy::SpdyConnection& connection, const CommandOptions& options,
    std::chrono::milliseconds timeout);

// CommandStreams over WebSocket channels; run() must be awaited beside the
// command (it reads the client's messages until the connection ends).
class ChannelCommandStreams : public CommandStreams {
 public:
  ChannelCommandStreams(MessageTransport& transport, ChannelProtocol protocol,
                        const boost::asio::any_io_executor& executor);
  boost::asio::awaitable<void> readLoop();

  boost::asio::awaitable<std::optional<std::string>> readStdin() override { return stdin_.pop(); }
  void writeStdout(std::string_view data) override;
  void writeStderr(std::string_view data) override;
  boost::asio::awaitable<std::optional<TerminalSize>> nextResize() override {
    return resizes_.pop();
  }
  boost::asio::awaitable<void> finish(const boost::json::object& status) override;

 private:
  MessageTransport& transport_;
  ChannelProtocol protocol_;
  AsyncQueue<std::string> stdin_;
  AsyncQueue<TerminalSize> resizes_;
};

}  // namespace kcpp::streaming
