#include "streaming/spdy_frame.h"

#include <gtest/gtest.h>
#include <zlib.h>

namespace kcpp::streaming::spdy {
namespace {

Frame roundTrip(const Frame& in) {
  HeaderCompressor c;
  HeaderDecompressor d;
  FrameReader reader;
  reader.feed(encodeFrame(in, c));
  auto out = reader.next(d);
  EXPECT_TRUE(out);
  EXPECT_TRUE(*out);
  return std::move(**out);
}

TEST(SpdyDictionary, IsTheDraftsDictionary) {
  auto d = headerDictionary();
  EXPECT_EQ(d.size(), 1423u);
  EXPECT_EQ(d.substr(0, 11), std::string_view("\0\0\0\7options", 11));
  EXPECT_TRUE(d.ends_with(",*,enq=0."));
}

TEST(SpdyFrame, SynStreamRoundTripsWithHeaders) {
  Frame f;
  f.type = FrameType::SynStream;
  f.streamId = 5;
  f.priority = 3;
  f.flags = kFlagFin;
  f.headers = {{"streamtype", "stdout"}, {"port", "8080"}, {"requestid", "0"}};
  auto back = roundTrip(f);
  EXPECT_EQ(back.type, FrameType::SynStream);
  EXPECT_EQ(back.streamId, 5u);
  EXPECT_EQ(back.priority, 3);
  EXPECT_TRUE(back.fin());
  EXPECT_EQ(back.headers, f.headers);
  EXPECT_EQ(headerValue(back.headers, "streamType"), "stdout");
}

TEST(SpdyFrame, ControlFrameHeaderLayout) {
  HeaderCompressor c;
  Frame f;
  f.type = FrameType::Ping;
  f.pingId = 7;
  auto wire = encodeFrame(f, c);
  EXPECT_EQ(wire, std::string("\x80\x03\x00\x06\x00\x00\x00\x04\x00\x00\x00\x07", 12));
  Frame d;
  d.type = FrameType::Data;
  d.streamId = 3;
  d.flags = kFlagFin;
  d.data = "hi";
  EXPECT_EQ(encodeFrame(d, c), std::string("\x00\x00\x00\x03\x01\x00\x00\x02hi", 10));
}

TEST(SpdyFrame, OtherControlFramesRoundTrip) {
  Frame rst;
  rst.type = FrameType::RstStream;
  rst.streamId = 9;
  rst.status = kCancel;
  auto r = roundTrip(rst);
  EXPECT_EQ(r.streamId, 9u);
  EXPECT_EQ(r.status, kCancel);

  Frame settings;
  settings.type = FrameType::Settings;
  settings.settings = {{0, 7, 65536}, {1, 4, 100}};
  auto s = roundTrip(settings);
  ASSERT_EQ(s.settings.size(), 2u);
  EXPECT_EQ(s.settings[0].id, 7u);
  EXPECT_EQ(s.settings[0].value, 65536u);
  EXPECT_EQ(s.settings[1].flags, 1);

  Frame window;
  window.type = FrameType::WindowUpdate;
  window.streamId = 1;
  window.deltaWindow = 1000;
  EXPECT_EQ(roundTrip(window).deltaWindow, 1000u);

  Frame goaway;
  goaway.type = FrameType::GoAway;
  goaway.lastGoodStreamId = 11;
  EXPECT_EQ(roundTrip(goaway).lastGoodStreamId, 11u);
}

TEST(SpdyFrame, HeaderCompressionKeepsStateAcrossFrames) {
  HeaderCompressor c;
  HeaderDecompressor d;
  FrameReader reader;
  for (int i = 0; i < 5; ++i) {
    Frame f;
    f.type = FrameType::SynReply;
    f.streamId = static_cast<std::uint32_t>(2 * i + 1);
    f.headers = {{"streamtype", "error"}, {"n", std::to_string(i)}};
    reader.feed(encodeFrame(f, c));
  }
  for (int i = 0; i < 5; ++i) {
    auto f = reader.next(d);
    ASSERT_TRUE(f && *f);
    EXPECT_EQ(headerValue((*f)->headers, "n"), std::to_string(i));
  }
}

// A header block compressed independently with zlib and the dictionary (as
// any SPDY/3 peer does) decodes.
TEST(SpdyFrame, DecodesABlockFromAnIndependentCompressor) {
  std::string plain("\0\0\0\1\0\0\0\x0astreamtype\0\0\0\5error", 27);
  z_stream z{};
  deflateInit(&z, Z_BEST_COMPRESSION);
  auto dict = headerDictionary();
  deflateSetDictionary(&z, reinterpret_cast<const Bytef*>(dict.data()), static_cast<uInt>(dict.size()));
  std::string out(256, '\0');
  z.next_in = reinterpret_cast<Bytef*>(plain.data());
  z.avail_in = static_cast<uInt>(plain.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_SYNC_FLUSH);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  HeaderDecompressor d;
  auto headers = d.decompress(out);
  ASSERT_TRUE(headers);
  EXPECT_EQ(headerValue(*headers, "streamtype"), "error");
}

TEST(SpdyFrame, PartialAndMalformedInput) {
  HeaderCompressor c;
  HeaderDecompressor d;
  Frame f;
  f.type = FrameType::Data;
  f.streamId = 1;
  f.data = "hello";
  auto wire = encodeFrame(f, c);
  FrameReader reader;
  reader.feed(wire.substr(0, 6));
  auto none = reader.next(d);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  reader.feed(wire.substr(6));
  auto one = reader.next(d);
  ASSERT_TRUE(one && *one);
  EXPECT_EQ((*one)->data, "hello");

  FrameReader bad(100);
  bad.feed(std::string("\x80\x03\x00\x01\x00\x10\x00\x00", 8));  // length 1 MiB
  EXPECT_FALSE(bad.next(d));
  FrameReader version;
  version.feed(std::string("\x80\x02\x00\x06\x00\x00\x00\x04\x00\x00\x00\x01", 12));
  EXPECT_FALSE(version.next(d));
  FrameReader garbage;
  garbage.feed(std::string("\x80\x03\x00\x02\x00\x00\x00\x08\x00\x00\x00\x01xxxx", 16));
  HeaderDecompressor fresh;
  EXPECT_FALSE(garbage.next(fresh));
}

}  // namespace
}  // namespace kcpp::streaming::spdy
