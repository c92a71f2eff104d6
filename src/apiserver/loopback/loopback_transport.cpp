#include "apiserver/loopback/loopback_transport.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>

#include "pki/certificate_info.h"
#include "pki/identity.h"

namespace kcpp::apiserver {

namespace asio = boost::asio;
using client::TransportAnswer;
using client::TransportRequest;
using client::WatchStreamPtr;

namespace {

// Collects a whole answer (a streamed one is gathered too, for completeness).
class AnswerSink : public ResponseSink {
 public:
  asio::awaitable<void> respond(ApiResponse response) override {
    answer.status = response.status;
    answer.body = std::move(response.body);
    for (const auto& [name, value] : response.headers) {
      if (name == "Retry-After") answer.retryAfterSeconds = std::atoi(value.c_str());
    }
    co_return;
  }
  asio::awaitable<bool> startStream(int status, std::string) override {
    answer.status = status;
    co_return true;
  }
  asio::awaitable<bool> writeChunk(std::string data) override {
    answer.body += data;
    co_return true;
  }
  asio::awaitable<void> endStream() override { co_return; }

  TransportAnswer answer;
};

// What travels from a streamed answer to the client, in order.
struct Piece {
  enum class Kind { Answer, Head, Chunk, End } kind = Kind::End;
  int status = 0;
  std::string data;
};
using Channel = asio::experimental::concurrent_channel<void(boost::system::error_code, Piece)>;
// Chunks in flight per watch before the server side waits for the client, as
// a socket's buffer would make it wait.
constexpr std::size_t kChannelCapacity = 256;

asio::awaitable<bool> send(Channel& channel, Piece piece) {
  auto [ec] = co_await channel.async_send(boost::system::error_code{}, std::move(piece),
                                          asio::as_tuple(asio::use_awaitable));
  co_return !ec;
}

// The server side of a watch: every call becomes a Piece on the channel.
class ChannelSink : public ResponseSink {
 public:
  explicit ChannelSink(std::shared_ptr<Channel> channel) : channel_(std::move(channel)) {}

  asio::awaitable<void> respond(ApiResponse response) override {
    Piece piece{Piece::Kind::Answer, response.status, std::move(response.body)};
    co_await send(*channel_, std::move(piece));
  }
  asio::awaitable<bool> startStream(int status, std::string) override {
    Piece piece{Piece::Kind::Head, status, {}};
    co_return co_await send(*channel_, std::move(piece));
  }
  asio::awaitable<bool> writeChunk(std::string data) override {
    Piece piece{Piece::Kind::Chunk, 0, std::move(data)};
    co_return co_await send(*channel_, std::move(piece));
  }
  asio::awaitable<void> endStream() override { co_return; }

 private:
  std::shared_ptr<Channel> channel_;
};

class LoopbackWatchStream : public client::WatchStream {
 public:
  explicit LoopbackWatchStream(std::shared_ptr<Channel> channel) : channel_(std::move(channel)) {}
  ~LoopbackWatchStream() override { channel_->close(); }

  asio::awaitable<Result<std::optional<client::WatchEvent>>> next() override {
    while (true) {
      if (auto event = lines_.next()) {
        if (!*event) co_return std::move(*event).error();
        co_return std::optional<client::WatchEvent>(std::move(**event));
      }
      if (ended_) co_return std::optional<client::WatchEvent>{};
      auto [ec, piece] = co_await channel_->async_receive(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return makeError(Reason::InternalError, "watch stream: closed");
      if (piece.kind == Piece::Kind::End) ended_ = true;
      if (piece.kind == Piece::Kind::Chunk) lines_.append(piece.data);
    }
  }

  void close() override { channel_->close(); }

 private:
  std::shared_ptr<Channel> channel_;
  client::WatchLineDecoder lines_;
  bool ended_ = false;
};

}  // namespace

LoopbackTransport::LoopbackTransport(HttpServer& server, asio::io_context& serverIo,
                                     pki::X509Ptr clientCa)
    : server_(server), serverIo_(serverIo), clientCa_(std::move(clientCa)) {}

std::optional<UserInfo> LoopbackTransport::certificateUser(const std::string& pem, bool& rejected) {
  std::lock_guard lock(mutex_);
  auto it = certificates_.find(pem);
  if (it == certificates_.end()) {
    CheckedCertificate checked;
    if (auto cert = pki::certificateFromPem(pem)) {
      checked.cert = std::move(*cert);
      auto verified = pki::verifyCertificate(checked.cert.get(), clientCa_.get(), pki::Purpose::ClientAuth);
      auto identity = pki::identityFromCertificate(checked.cert.get());
      if (verified && identity) checked.user = UserInfo{identity->user, "", identity->groups};
    }
    it = certificates_.emplace(pem, std::move(checked)).first;
  }
  const CheckedCertificate& checked = it->second;
  rejected = !checked.user || pki::expiresWithin(checked.cert.get(), std::chrono::seconds(0));
  return rejected ? std::nullopt : checked.user;
}

LocalRequest LoopbackTransport::localRequest(TransportRequest request) {
  LocalRequest local;
  local.method = std::move(request.method);
  local.target = std::move(request.target);
  local.body = std::move(request.body);
  local.contentType = std::move(request.contentType);
  local.userAgent = std::move(request.userAgent);
  if (!request.bearerToken.empty()) local.authorization = "Bearer " + request.bearerToken;
  if (!request.clientCertificate.empty()) {
    local.verifiedClientCert = certificateUser(request.clientCertificate, local.clientCertRejected);
  }
  return local;
}

asio::awaitable<TransportAnswer> LoopbackTransport::roundTrip(TransportRequest request) {
  auto sink = std::make_shared<AnswerSink>();
  auto serve = [this, sink, local = localRequest(std::move(request))]() mutable -> asio::awaitable<void> {
    try {
      co_await server_.serveLocal(std::move(local), *sink);
    } catch (const std::exception& e) {
      // As a connection whose handler threw: the caller sees a failed request.
      sink->answer = TransportAnswer{0, std::string("the server failed: ") + e.what(), std::nullopt};
    }
  };
  // Runs on the server's threads; resumes here, on the caller's executor.
  co_await asio::co_spawn(asio::make_strand(serverIo_), std::move(serve), asio::use_awaitable);
  if (sink->answer.status == 0 && sink->answer.body.empty()) sink->answer.body = "the server gave no answer";
  co_return std::move(sink->answer);
}

asio::awaitable<Result<WatchStreamPtr>> LoopbackTransport::watch(TransportRequest request) {
  auto channel = std::make_shared<Channel>(serverIo_.get_executor(), kChannelCapacity);
  auto serve = [this, channel, local = localRequest(std::move(request))]() mutable -> asio::awaitable<void> {
    ChannelSink sink(channel);
    co_await server_.serveLocal(std::move(local), sink);
    Piece end{Piece::Kind::End, 0, {}};
    co_await send(*channel, std::move(end));
  };
  asio::co_spawn(asio::make_strand(serverIo_), std::move(serve), asio::detached);
  auto [ec, first] = co_await channel->async_receive(asio::as_tuple(asio::use_awaitable));
  if (ec || first.kind == Piece::Kind::End) {
    co_return makeError(Reason::ServiceUnavailable, "watch: the server gave no answer");
  }
  if (first.kind == Piece::Kind::Answer) {
    channel->close();
    co_return client::errorFromResponse(first.status, first.data);
  }
  if (first.status != 200) {
    // An error streamed (not expected): gather it whole.
    std::string body;
    while (true) {
      auto [failed, piece] = co_await channel->async_receive(asio::as_tuple(asio::use_awaitable));
      if (failed || piece.kind == Piece::Kind::End) break;
      body += piece.data;
    }
    channel->close();
    co_return client::errorFromResponse(first.status, body);
  }
  co_return WatchStreamPtr(std::make_unique<LoopbackWatchStream>(std::move(channel)));
}

}  // namespace kcpp::apiserver
