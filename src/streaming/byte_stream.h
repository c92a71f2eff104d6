#pragma once
// ByteStream: a bidirectional byte pipe (a TLS connection, a TCP socket, a
// child's pipe, a WebSocket carrying a tunnel) as the stream protocols use it.
// All calls come from the stream's strand.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/stream_traits.hpp>

#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace kcpp::streaming {

class ByteStream {
 public:
  virtual ~ByteStream() = default;
  // Some bytes into `into`; 0 once the stream ended (EOF or error).
  virtual boost::asio::awaitable<std::size_t> readSome(std::span<char> into) = 0;
  // false when the stream is gone.
  virtual boost::asio::awaitable<bool> writeAll(std::string_view data) = 0;
  // Ends the stream both ways (pending reads and writes fail).
  virtual void close() = 0;
};
using ByteStreamPtr = std::unique_ptr<ByteStream>;

// A ByteStream over an Asio/Beast stream held by reference (the owner keeps
// it alive) or by value.
template <class AsyncStream>
class AsioByteStream : public ByteStream {
 public:
  explicit AsioByteStream(AsyncStream stream) : stream_(std::forward<AsyncStream>(stream)) {}

  boost::asio::awaitable<std::size_t> readSome(std::span<char> into) override {
    boost::system::error_code ec;
    std::size_t n = co_await stream_.async_read_some(
        boost::asio::buffer(into.data(), into.size()),
        boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    co_return ec && n == 0 ? 0 : n;
  }

  boost::asio::awaitable<bool> writeAll(std::string_view data) override {
    boost::system::error_code ec;
    co_await boost::asio::async_write(stream_, boost::asio::buffer(data.data(), data.size()),
                                      boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    co_return !ec;
  }

  void close() override {
    try {
      boost::beast::get_lowest_layer(stream_).close();
    } catch (const boost::system::system_error&) {  // already closed: nothing to end
    }
  }

  AsyncStream& stream() { return stream_; }

 private:
  AsyncStream stream_;
};

}  // namespace kcpp::streaming
