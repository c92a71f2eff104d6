#pragma once
// SpdyConnection: one SPDY/3.1 session over a ByteStream, as spdystream runs
// it for Kubernetes: the peer (kubectl) opens streams with SYN_STREAM, this side
// answers SYN_REPLY and exchanges DATA on them; PINGs are echoed; flow control
// windows are not enforced (spdystream neither sends nor honours them).
// Everything runs on the connection's strand.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "streaming/async_queue.h"
#include "streaming/byte_stream.h"
#include "streaming/spdy_frame.h"

namespace kcpp::streaming::spdy {

class SpdyConnection;

class SpdyStream {
 public:
  SpdyStream(SpdyConnection& connection, std::uint32_t id, HeaderList headers,
             const boost::asio::any_io_executor& executor)
      : connection_(connection), id_(id), headers_(std::move(headers)), inbound_(executor) {}

  std::uint32_t id() const { return id_; }
  const HeaderList& headers() const { return headers_; }
  std::string header(std::string_view name) const { return headerValue(headers_, name); }

  // The next data the peer sent; nullopt once it finished (FIN) or reset the stream.
  boost::asio::awaitable<std::optional<std::string>> read() { return inbound_.pop(); }
  // Queues data (split into frames); false when the stream or connection ended.
  bool write(std::string_view data);
  // Half-closes this side (DATA with FIN); idempotent.
  void close();
  // Resets the stream (RST_STREAM CANCEL).
  void reset();

 private:
  friend class SpdyConnection;
  SpdyConnection& connection_;
  std::uint32_t id_;
  HeaderList headers_;
  AsyncQueue<std::string> inbound_;
  bool localClosed_ = false;
};
using SpdyStreamPtr = std::shared_ptr<SpdyStream>;

class SpdyConnection {
 public:
  SpdyConnection(ByteStream& transport, const boost::asio::any_io_executor& executor);

  // Reads and dispatches frames and writes queued ones until the transport
  // ends or close() is called; run it once (co_spawn) for the connection.
  boost::asio::awaitable<void> run();
  // The next stream the peer opened (already answered with SYN_REPLY);
  // nullptr once the connection ended.
  boost::asio::awaitable<SpdyStreamPtr> accept() {
    auto next = co_await accepted_.pop();
    co_return next ? *next : nullptr;
  }
  // Sends GOAWAY after what is queued and ends the connection.
  void close();
  bool closed() const { return closed_; }

 private:
  friend class SpdyStream;
  void send(const Frame& frame);
  boost::asio::awaitable<void> readLoop();
  boost::asio::awaitable<void> writeLoop();
  void dispatch(Frame& frame);
  void finish();

  ByteStream& transport_;
  boost::asio::any_io_executor executor_;
  HeaderCompressor compressor_;
  HeaderDecompressor decompressor_;
  AsyncQueue<std::string> outbound_;
  AsyncQueue<SpdyStreamPtr> accepted_;
  std::map<std::uint32_t, SpdyStreamPtr> streams_;
  std::uint32_t lastStreamId_ = 0;
  bool closed_ = false;
  AsyncQueue<bool> writerFinished_;
  boost::asio::steady_timer linger_;  // after close(): waiting for the peer to hang up
  bool readEnded_ = false;
};

}  // namespace kcpp::streaming::spdy
