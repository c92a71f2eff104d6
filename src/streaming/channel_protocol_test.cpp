#include "streaming/channel_protocol.h"

#include <gtest/gtest.h>

#include "streaming/remotecommand.h"

namespace kcpp::streaming {
namespace {

const std::vector<std::string_view> kServer = {kChannelV5, kChannelV4, kChannel, kBase64Channel};

TEST(ChannelProtocol, NegotiatesInTheClientsOrder) {
  auto p = negotiateChannelProtocol(splitProtocols("v5.channel.k8s.io, v4.channel.k8s.io"), kServer);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->name, "v5.channel.k8s.io");
  EXPECT_TRUE(p->hasCloseSignal());
  p = negotiateChannelProtocol(splitProtocols("v3.channel.k8s.io,v4.channel.k8s.io"), kServer);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->version, 4);
  EXPECT_TRUE(p->statusOnErrorChannel());
  EXPECT_FALSE(p->hasCloseSignal());
}

TEST(ChannelProtocol, NoOfferMeansPlainChannelAndUnknownOffersFail) {
  auto p = negotiateChannelProtocol({}, kServer);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->version, 1);
  EXPECT_FALSE(p->statusOnErrorChannel());
  EXPECT_FALSE(negotiateChannelProtocol({"v9.channel.k8s.io"}, kServer));
}

TEST(ChannelProtocol, BinaryFramesRoundTrip) {
  auto p = *channelProtocolNamed(kChannelV5);
  std::string data("a\0b\xff", 4);
  auto wire = encodeChannelMessage(p, kStderr, data);
  ASSERT_EQ(wire.size(), 5u);
  EXPECT_EQ(wire[0], 2);
  auto back = decodeChannelMessage(p, wire);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->channel, kStderr);
  EXPECT_EQ(back->data, data);
}

TEST(ChannelProtocol, Base64FramesUseADigitAndBase64) {
  auto p = *channelProtocolNamed(kBase64Channel);
  auto wire = encodeChannelMessage(p, kStdout, "hi\n");
  EXPECT_EQ(wire, "1aGkK");
  auto back = decodeChannelMessage(p, "1aGkK");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->channel, kStdout);
  EXPECT_EQ(back->data, "hi\n");
  EXPECT_FALSE(decodeChannelMessage(p, "x"));
  EXPECT_FALSE(decodeChannelMessage(p, "1!!!"));
}

TEST(ChannelProtocol, CloseSignalNamesTheClosedChannel) {
  auto p = *channelProtocolNamed(kChannelV5);
  auto wire = encodeCloseSignal(kStdin);
  auto back = decodeChannelMessage(p, wire);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->channel, kCloseSignal);
  ASSERT_EQ(back->data.size(), 1u);
  EXPECT_EQ(back->data[0], kStdin);
  EXPECT_FALSE(decodeChannelMessage(p, ""));
}

TEST(RemoteCommand, ExitCodeStatusAsUpstream) {
  auto s = exitCodeStatus(3, {"sh", "-c", "exit 3"});
  EXPECT_EQ(s.at("status"), "Failure");
  EXPECT_EQ(s.at("reason"), "NonZeroExitCode");
  EXPECT_EQ(s.at("message"),
            "command terminated with non-zero exit code: error executing command [sh -c exit 3], "
            "exit code 3");
  const auto& cause = s.at("details").at("causes").as_array()[0].as_object();
  EXPECT_EQ(cause.at("reason"), "ExitCode");
  EXPECT_EQ(cause.at("message"), "3");
  EXPECT_EQ(successStatus().at("status"), "Success");
}

TEST(RemoteCommand, TerminalSizes) {
  auto size = parseTerminalSize(R"({"Width":80,"Height":24})");
  ASSERT_TRUE(size);
  EXPECT_EQ(size->width, 80);
  EXPECT_EQ(size->height, 24);
  EXPECT_FALSE(parseTerminalSize("{}"));
  EXPECT_FALSE(parseTerminalSize("nope"));
}

TEST(RemoteCommand, ExpectedStreams) {
  CommandOptions o;
  o.stdin = true;
  EXPECT_EQ(o.expectedStreams(), 4);  // error, stdin, stdout, stderr
  o.tty = true;
  EXPECT_EQ(o.expectedStreams(), 4);  // error, stdin, stdout, resize
}

}  // namespace
}  // namespace kcpp::streaming
