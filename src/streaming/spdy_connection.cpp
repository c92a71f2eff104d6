#include "streaming/spdy_connection.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/spdlog.h>

#include <array>

namespace kcpp::streaming::spdy {

namespace asio = boost::asio;

namespace {
// spdystream's largest data frame; larger writes are split.
constexpr std::size_t kMaxDataFrame = 32 * 1024;
constexpr std::chrono::seconds kLinger{5};
}  // namespace

bool SpdyStream::write(std::string_view data) {
  if (localClosed_ || connection_.closed()) return false;
  while (!data.empty()) {
    Frame f;
    f.type = FrameType::Data;
    f.streamId = id_;
    f.data = std::string(data.substr(0, kMaxDataFrame));
    data.remove_prefix(f.data.size());
    connection_.send(f);
  }
  return true;
}

void SpdyStream::close() {
  if (localClosed_ || connection_.closed()) return;
  localClosed_ = true;
  Frame f;
  f.type = FrameType::Data;
  f.streamId = id_;
  f.flags = kFlagFin;
  connection_.send(f);
}

void SpdyStream::reset() {
  if (connection_.closed()) return;
  localClosed_ = true;
  Frame f;
  f.type = FrameType::RstStream;
  f.streamId = id_;
  f.status = kCancel;
  connection_.send(f);
  inbound_.close();
}

SpdyConnection::SpdyConnection(ByteStream& transport, const asio::any_io_executor& executor)
    : transport_(transport),
      executor_(executor),
      outbound_(executor),
      accepted_(executor),
      writerFinished_(executor),
      linger_(executor) {}

void SpdyConnection::send(const Frame& frame) {
  spdlog::debug("spdy send type={} stream={} flags={} len={} closed={}", static_cast<int>(frame.type),
                frame.streamId, frame.flags, frame.data.size(), closed_);
  if (closed_) return;
  outbound_.push(encodeFrame(frame, compressor_));
}

void SpdyConnection::close() {
  if (closed_) return;
  Frame goaway;
  goaway.type = FrameType::GoAway;
  goaway.lastGoodStreamId = lastStreamId_;
  send(goaway);
  closed_ = true;
  outbound_.close();
}

asio::awaitable<void> SpdyConnection::run() {
  asio::co_spawn(executor_, writeLoop(), asio::detached);
  co_await readLoop();
  finish();
  co_await writerFinished_.pop();
}

void SpdyConnection::finish() {
  readEnded_ = true;
  linger_.cancel();
  closed_ = true;
  outbound_.close();
  accepted_.close();
  for (auto& [id, stream] : streams_) stream->inbound_.close();
}

asio::awaitable<void> SpdyConnection::writeLoop() {
  while (auto bytes = co_await outbound_.pop()) {
    if (!co_await transport_.writeAll(*bytes)) break;
  }
  // Everything queued is out. The peer closes once it read it all (kubectl
  // does after the error stream): closing first, with its last frames unread
  // here, would reset the connection and lose what it has not read yet. So
  // linger until it does, within a bound.
  if (!readEnded_) {
    linger_.expires_after(kLinger);
    boost::system::error_code ec;
    co_await linger_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  transport_.close();
  writerFinished_.push(true);
}

asio::awaitable<void> SpdyConnection::readLoop() {
  FrameReader reader;
  std::array<char, 32 * 1024> chunk;
  for (;;) {
    std::size_t n = co_await transport_.readSome(chunk);
    if (n == 0) co_return;
    reader.feed(std::string_view(chunk.data(), n));
    for (;;) {
      auto frame = reader.next(decompressor_);
      if (!frame) {  // malformed: tell the peer and stop
        close();
        co_return;
      }
      if (!*frame) break;
      dispatch(**frame);
    }
  }
}

void SpdyConnection::dispatch(Frame& frame) {
  spdlog::debug("spdy recv type={} stream={} flags={} len={}", static_cast<int>(frame.type), frame.streamId,
                frame.flags, frame.data.size());
  switch (frame.type) {
    case FrameType::SynStream: {
      if (closed_) return;
      auto stream = std::make_shared<SpdyStream>(*this, frame.streamId, std::move(frame.headers),
                                                 executor_);
      lastStreamId_ = std::max(lastStreamId_, frame.streamId);
      streams_[frame.streamId] = stream;
      Frame reply;
      reply.type = FrameType::SynReply;
      reply.streamId = frame.streamId;
      send(reply);
      if (frame.fin()) stream->inbound_.close();
      accepted_.push(stream);
      return;
    }
    case FrameType::Data: {
      auto it = streams_.find(frame.streamId);
      if (it == streams_.end()) return;
      if (!frame.data.empty()) it->second->inbound_.push(std::move(frame.data));
      if (frame.fin()) it->second->inbound_.close();
      return;
    }
    case FrameType::RstStream: {
      auto it = streams_.find(frame.streamId);
      if (it == streams_.end()) return;
      it->second->localClosed_ = true;
      it->second->inbound_.close();
      return;
    }
    case FrameType::Ping: {
      send(frame);  // echo
      return;
    }
    case FrameType::GoAway:
      close();
      return;
    default:
      return;  // SETTINGS, WINDOW_UPDATE, HEADERS: nothing to do for these streams
  }
}

}  // namespace kcpp::streaming::spdy
