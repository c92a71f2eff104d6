#include "streaming/command_streams.h"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

namespace kcpp::streaming {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

class SpdyCommandStreams : public CommandStreams {
 public:
  SpdyCommandStreams(spdy::SpdyConnection& connection, const asio::any_io_executor& executor)
      : connection_(connection), noResizes_(executor) {
    noResizes_.close();
  }

  bool take(spdy::SpdyStreamPtr stream) {
    std::string type = stream->header(kStreamTypeHeader);
    if (type == kStreamTypeError) error_ = std::move(stream);
    else if (type == kStreamTypeStdin) stdin_ = std::move(stream);
    else if (type == kStreamTypeStdout) stdout_ = std::move(stream);
    else if (type == kStreamTypeStderr) stderr_ = std::move(stream);
    else if (type == kStreamTypeResize) resize_ = std::move(stream);
    else return false;
    return true;
  }

  asio::awaitable<std::optional<std::string>> readStdin() override {
    if (!stdin_) co_return std::nullopt;
    co_return co_await stdin_->read();
  }
  void writeStdout(std::string_view data) override {
    if (stdout_) stdout_->write(data);
  }
  void writeStderr(std::string_view data) override {
    if (stderr_) stderr_->write(data);
  }
  // Resizes arrive as a stream of JSON objects, one after another.
  asio::awaitable<std::optional<TerminalSize>> nextResize() override {
    if (!resize_) co_return co_await noResizes_.pop();
    for (;;) {
      if (auto size = takeResize()) co_return size;
      auto more = co_await resize_->read();
      if (!more) co_return std::nullopt;
      resizeBuffer_ += *more;
    }
  }
  asio::awaitable<void> finish(const json::object& status) override {
    if (error_) {
      error_->write(json::serialize(status));  // v4: Success is written too, as upstream
      error_->close();
    }
    for (auto* s : {&stdout_, &stderr_}) {
      if (*s) (*s)->close();
    }
    connection_.close();
    co_return;
  }

 private:
  std::optional<TerminalSize> takeResize() {
    // json::parse of a prefix: find the end of the first object.
    auto end = resizeBuffer_.find('}');
    if (end == std::string::npos) return std::nullopt;
    auto size = parseTerminalSize(resizeBuffer_.substr(0, end + 1));
    resizeBuffer_.erase(0, end + 1);
    return size;
  }

  spdy::SpdyConnection& connection_;
  spdy::SpdyStreamPtr error_, stdin_, stdout_, stderr_, resize_;
  std::string resizeBuffer_;
  AsyncQueue<TerminalSize> noResizes_;
};

}  // namespace

asio::awaitable<Result<std::unique_ptr<CommandStreams>>> acceptSpdyCommandStreams(
    spdy::SpdyConnection& connection, const CommandOptions& options,
    std::chrono::milliseconds timeout) {
  using namespace asio::experimental::awaitable_operators;
  auto executor = co_await asio::this_coro::executor;
  auto streams = std::make_unique<SpdyCommandStreams>(connection, executor);
  asio::steady_timer timer(executor, timeout);
  int received = 0;
  while (received < options.expectedStreams()) {
    auto next = co_await (connection.accept() || timer.async_wait(asio::use_awaitable));
    if (next.index() == 1) {
      co_return makeError(Reason::Timeout, "timed out waiting for client to create streams");
    }
    auto stream = std::get<0>(next);
    if (!stream) co_return makeError(Reason::BadRequest, "connection closed before streams were created");
    spdlog::debug("exec stream {} type {} ({} of {})", stream->id(), stream->header(kStreamTypeHeader),
                  received + 1, options.expectedStreams());
    if (streams->take(std::move(stream))) ++received;
  }
  co_return std::unique_ptr<CommandStreams>(std::move(streams));
}

ChannelCommandStreams::ChannelCommandStreams(MessageTransport& transport, ChannelProtocol protocol,
                                             const asio::any_io_executor& executor)
    : transport_(transport), protocol_(std::move(protocol)), stdin_(executor), resizes_(executor) {}

asio::awaitable<void> ChannelCommandStreams::readLoop() {
  while (auto message = co_await transport_.readMessage()) {
    auto decoded = decodeChannelMessage(protocol_, *message);
    if (!decoded) continue;
    if (decoded->channel == kStdin) {
      // Old clients send an empty first message to open the channel.
      if (!decoded->data.empty()) stdin_.push(std::move(decoded->data));
    } else if (decoded->channel == kResize) {
      if (auto size = parseTerminalSize(decoded->data)) resizes_.push(*size);
    } else if (decoded->channel == kCloseSignal && protocol_.hasCloseSignal() &&
               !decoded->data.empty()) {
      auto closed = static_cast<std::uint8_t>(decoded->data[0]);
      if (closed == kStdin) stdin_.close();
      if (closed == kResize) resizes_.close();
    }
  }
  stdin_.close();
  resizes_.close();
}

void ChannelCommandStreams::writeStdout(std::string_view data) {
  transport_.send(encodeChannelMessage(protocol_, kStdout, data));
}

void ChannelCommandStreams::writeStderr(std::string_view data) {
  transport_.send(encodeChannelMessage(protocol_, kStderr, data));
}

asio::awaitable<void> ChannelCommandStreams::finish(const json::object& status) {
  if (protocol_.statusOnErrorChannel()) {
    transport_.send(encodeChannelMessage(protocol_, kError, json::serialize(status)));
  } else if (status.at("status") != "Success") {
    transport_.send(encodeChannelMessage(protocol_, kError, status.at("message").as_string()));
  }
  co_await transport_.close();
  stdin_.close();
  resizes_.close();
}

}  // namespace kcpp::streaming
