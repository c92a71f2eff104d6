#include "streaming/portforward.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>

#include <array>
#include <charconv>
#include <map>
#include <set>

#include "streaming/remotecommand.h"

namespace kcpp::streaming {

namespace asio = boost::asio;

namespace {

struct StreamPair {
  spdy::SpdyStreamPtr data;
  spdy::SpdyStreamPtr error;
};

std::optional<std::uint16_t> parsePort(const std::string& text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

// Everything one forwarded connection needs, kept alive by its coroutine.
struct Forward {
  StreamPair pair;
  PortDialer& dialer;
  std::string podName;
  std::string podUid;
  std::set<ByteStream*>& open;
};

asio::awaitable<void> forwardOne(Forward f) {
  using namespace asio::experimental::awaitable_operators;
  auto portText = f.pair.data->header("port");
  auto port = parsePort(portText);
  auto fail = [&](const std::string& cause) {
    f.pair.error->write("error forwarding port " + portText + " to pod " + f.podName + ", uid " +
                        f.podUid + ": " + cause);
    f.pair.error->close();
    f.pair.data->close();
  };
  if (!port) {
    fail("invalid port " + portText);
    co_return;
  }
  auto target = co_await f.dialer.dial(*port);
  if (!target) {
    fail(target.error().message);
    co_return;
  }
  ByteStream& conn = **target;
  f.open.insert(&conn);
  auto upstream = [&]() -> asio::awaitable<void> {
    while (auto data = co_await f.pair.data->read()) {
      if (!co_await conn.writeAll(*data)) break;
    }
    f.dialer.shutdownWrite(conn);
  };
  auto downstream = [&]() -> asio::awaitable<void> {
    std::array<char, 32 * 1024> chunk;
    for (;;) {
      std::size_t n = co_await conn.readSome(chunk);
      if (n == 0) break;
      if (!f.pair.data->write(std::string_view(chunk.data(), n))) break;
    }
    f.pair.data->close();
    f.pair.error->close();
  };
  co_await (upstream() && downstream());
  f.open.erase(&conn);
  conn.close();
}

}  // namespace

asio::awaitable<void> servePortForward(spdy::SpdyConnection& connection, PortDialer& dialer,
                                       std::string podName, std::string podUid) {
  auto executor = co_await asio::this_coro::executor;
  std::map<std::string, StreamPair> pending;  // by requestID
  std::set<ByteStream*> open;
  AsyncQueue<bool> finished(executor);
  int running = 0;
  while (auto stream = co_await connection.accept()) {
    std::string id = stream->header("requestID");
    auto& pair = pending[id];
    std::string type = stream->header(kStreamTypeHeader);
    if (type == kStreamTypeData) {
      pair.data = std::move(stream);
    } else if (type == kStreamTypeError) {
      pair.error = std::move(stream);
    } else {
      stream->reset();
      continue;
    }
    if (!pair.data || !pair.error) continue;
    Forward f{std::move(pair), dialer, podName, podUid, open};
    pending.erase(id);
    ++running;
    asio::co_spawn(executor, forwardOne(std::move(f)), [&](std::exception_ptr) {
      --running;
      finished.push(true);
    });
  }
  // The client went away: end the connections still forwarding.
  for (auto* conn : open) conn->close();
  while (running > 0) co_await finished.pop();
}

}  // namespace kcpp::streaming
