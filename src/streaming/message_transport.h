#pragma once
// MessageTransport: a WebSocket as the channel protocol uses it (whole binary
// or text messages), with queued writes so several producers can send; and a
// ByteStream over one (binary messages as a byte pipe), which is how kubectl
// 1.31+ tunnels SPDY port-forwarding through a WebSocket.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <optional>
#include <string>

#include "streaming/async_queue.h"
#include "streaming/byte_stream.h"

namespace kcpp::streaming {

class MessageTransport {
 public:
  virtual ~MessageTransport() = default;
  // The next message; nullopt once the peer closed or the connection failed.
  virtual boost::asio::awaitable<std::optional<std::string>> readMessage() = 0;
  virtual void send(std::string message) = 0;
  // Sends what is queued, then a normal close; returns once done.
  virtual boost::asio::awaitable<void> close() = 0;
};

// A MessageTransport over an accepted Beast websocket::stream (held by reference).
template <class WebSocket>
class WebSocketTransport : public MessageTransport {
 public:
  WebSocketTransport(WebSocket& ws, bool binary)
      : ws_(ws), outbound_(ws.get_executor()), writerDone_(ws.get_executor()) {
    ws_.binary(binary);
    boost::asio::co_spawn(ws_.get_executor(), writeLoop(), boost::asio::detached);
  }

  boost::asio::awaitable<std::optional<std::string>> readMessage() override {
    boost::beast::flat_buffer buffer;
    boost::system::error_code ec;
    co_await ws_.async_read(buffer, boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    if (ec) {
      outbound_.close();  // nothing more will reach the peer either
      co_return std::nullopt;
    }
    co_return boost::beast::buffers_to_string(buffer.data());
  }

  void send(std::string message) override { outbound_.push(std::move(message)); }

  boost::asio::awaitable<void> close() override {
    if (closing_) co_return;  // one close handshake, by whoever asks first
    closing_ = true;
    outbound_.close();
    co_await writerDone_.pop();
    if (!ws_.is_open()) co_return;
    boost::system::error_code ec;
    co_await ws_.async_close(boost::beast::websocket::close_code::normal,
                             boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }

 private:
  boost::asio::awaitable<void> writeLoop() {
    while (auto message = co_await outbound_.pop()) {
      boost::system::error_code ec;
      co_await ws_.async_write(boost::asio::buffer(*message),
                               boost::asio::redirect_error(boost::asio::use_awaitable, ec));
      if (ec) break;
    }
    writerDone_.push(true);
  }

  WebSocket& ws_;
  AsyncQueue<std::string> outbound_;
  AsyncQueue<bool> writerDone_;
  bool closing_ = false;
};

// Binary messages as a byte pipe.
class MessageByteStream : public ByteStream {
 public:
  explicit MessageByteStream(MessageTransport& transport) : transport_(transport) {}

  boost::asio::awaitable<std::size_t> readSome(std::span<char> into) override {
    while (pending_.empty()) {
      if (ended_) co_return 0;
      auto message = co_await transport_.readMessage();
      if (!message) {
        ended_ = true;
        co_return 0;
      }
      pending_ = std::move(*message);
    }
    std::size_t n = std::min(into.size(), pending_.size());
    std::copy_n(pending_.data(), n, into.data());
    pending_.erase(0, n);
    co_return n;
  }

  boost::asio::awaitable<bool> writeAll(std::string_view data) override {
    if (ended_) co_return false;
    transport_.send(std::string(data));
    co_return true;
  }

  // Stops writing; the owner closes the transport once the reader is done
  // (the peer ends a tunnel: port-forward closes its WebSocket).
  void close() override { ended_ = true; }

 private:
  MessageTransport& transport_;
  std::string pending_;
  bool ended_ = false;
};

}  // namespace kcpp::streaming
