#pragma once
// Test-only: loopback servers the probes talk to (HTTP/HTTPS on a free port with
// per-path answers and a record of the requests; a gRPC health server).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace kcpp::kubelet::prober::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct Answer {
  Answer(int status = 200, std::string body = "ok", std::string location = "",
         std::chrono::milliseconds delay = std::chrono::milliseconds(0))
      : status(status), body(std::move(body)), location(std::move(location)), delay(delay) {}
  int status;
  std::string body;
  std::string location;
  std::chrono::milliseconds delay;
};

struct SeenRequest {
  std::string target;
  std::map<std::string, std::string> headers;  // lower-case names
};

class TestHttpServer {
 public:
  // tls: serve HTTPS with this context.
  explicit TestHttpServer(asio::io_context& io, asio::ssl::context* tls = nullptr)
      : io_(io), tls_(tls), acceptor_(io, {asio::ip::make_address("127.0.0.1"), 0}) {
    asio::co_spawn(io_, accept(), asio::detached);
  }
  ~TestHttpServer() { close(); }
  void close() {
    boost::system::error_code ec;
    acceptor_.close(ec);
  }
  int port() const { return acceptor_.local_endpoint().port(); }
  void answer(const std::string& path, Answer a) { answers_[path] = std::move(a); }
  std::vector<SeenRequest> requests(const std::string& path = "") const {
    std::vector<SeenRequest> out;
    for (const auto& r : seen_) {
      if (path.empty() || r.target == path) out.push_back(r);
    }
    return out;
  }
  std::size_t count(const std::string& path) const { return requests(path).size(); }

 private:
  asio::awaitable<void> accept() {
    for (;;) {
      boost::system::error_code ec;
      auto socket = co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
    }
  }

  template <class Stream>
  asio::awaitable<void> exchange(Stream& stream) {
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    co_await http::async_read(stream, buffer, req, asio::use_awaitable);
    SeenRequest seen{std::string(req.target()), {}};
    for (const auto& field : req) {
      std::string name(field.name_string());
      for (auto& ch : name) ch = static_cast<char>(std::tolower(ch));
      seen.headers[name] = std::string(field.value());
    }
    seen_.push_back(seen);
    Answer a;
    auto found = answers_.find(seen.target);
    if (found != answers_.end()) a = found->second;
    if (a.delay.count() > 0) {
      asio::steady_timer t(io_, a.delay);
      co_await t.async_wait(asio::use_awaitable);
    }
    http::response<http::string_body> res{static_cast<http::status>(a.status), 11};
    if (!a.location.empty()) res.set(http::field::location, a.location);
    res.body() = a.body;
    res.prepare_payload();
    co_await http::async_write(stream, res, asio::use_awaitable);
  }

  asio::awaitable<void> serve(asio::ip::tcp::socket socket) {
    try {
      if (!tls_) {
        co_await exchange(socket);
      } else {
        asio::ssl::stream<asio::ip::tcp::socket> stream(std::move(socket), *tls_);
        co_await stream.async_handshake(asio::ssl::stream_base::server, asio::use_awaitable);
        co_await exchange(stream);
      }
    } catch (const std::exception&) {
      // the client went away (timeouts)
    }
  }

  asio::io_context& io_;
  asio::ssl::context* tls_;
  asio::ip::tcp::acceptor acceptor_;
  std::map<std::string, Answer> answers_;
  std::vector<SeenRequest> seen_;
};

// A loopback port nothing listens on (bound, then closed).
inline int closedPort(asio::io_context& io) {
  asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

// Runs io for `d` or until `until` holds.
inline void runFor(asio::io_context& io, std::chrono::milliseconds d,
                   const std::function<bool()>& until = nullptr) {
  auto deadline = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < deadline && !(until && until())) {
    if (io.stopped()) io.restart();
    io.run_one_for(std::chrono::milliseconds(10));
  }
}

}  // namespace kcpp::kubelet::prober::testing
