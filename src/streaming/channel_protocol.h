#pragma once
// The Kubernetes WebSocket channel protocol (k8s.io/apimachinery wsstream):
// every WebSocket message carries one channel (stdin 0, stdout 1, stderr 2,
// error 3, resize 4) in its first byte, then the data. The base64 variant
// writes the channel as an ASCII digit and the data base64-encoded (text
// messages). v5 adds a close signal: a message on channel 255 whose one byte of
// data names the channel the peer will send no more on (half-close of stdin).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kcpp::streaming {

// WebSocket subprotocols, newest first (the server picks the first it knows of
// those the client offers, in the client's order, as upstream's handshake).
inline constexpr std::string_view kChannelV5 = "v5.channel.k8s.io";
inline constexpr std::string_view kChannelV4 = "v4.channel.k8s.io";
inline constexpr std::string_view kChannelV3 = "v3.channel.k8s.io";
inline constexpr std::string_view kChannelV2 = "v2.channel.k8s.io";
inline constexpr std::string_view kChannel = "channel.k8s.io";
inline constexpr std::string_view kBase64Channel = "base64.channel.k8s.io";
// kubectl 1.31+ port-forward: SPDY/3.1 frames carried in WebSocket binary messages.
inline constexpr std::string_view kSpdyTunnelPortForward = "SPDY/3.1+portforward.k8s.io";

enum Channel : std::uint8_t {
  kStdin = 0,
  kStdout = 1,
  kStderr = 2,
  kError = 3,
  kResize = 4,
  kCloseSignal = 255,  // v5 only
};

enum class ChannelEncoding { Binary, Base64 };

struct ChannelProtocol {
  std::string name;  // as negotiated (empty: the client offered none: channel.k8s.io)
  ChannelEncoding encoding = ChannelEncoding::Binary;
  int version = 1;  // 1 (channel/base64), 2, 3, 4, 5
  bool statusOnErrorChannel() const { return version >= 4; }  // a metav1.Status JSON
  bool hasCloseSignal() const { return version >= 5; }
};

// Splits a Sec-WebSocket-Protocol header ("a, b,c") into names.
std::vector<std::string> splitProtocols(std::string_view header);
// The protocol the server speaks among those offered (in the client's order),
// restricted to `supported`; no offer at all means plain channel.k8s.io, as
// upstream's handshake. nullopt: none acceptable.
std::optional<ChannelProtocol> negotiateChannelProtocol(const std::vector<std::string>& offered,
                                                        const std::vector<std::string_view>& supported);
std::optional<ChannelProtocol> channelProtocolNamed(std::string_view name);

// One message's payload for `channel`.
std::string encodeChannelMessage(const ChannelProtocol& protocol, std::uint8_t channel,
                                 std::string_view data);
// The v5 close signal for `channel`.
std::string encodeCloseSignal(std::uint8_t channel);

struct ChannelMessage {
  std::uint8_t channel = 0;
  std::string data;
};
// Decodes one received message; nullopt when it is empty or not valid for the
// protocol (bad digit or base64).
std::optional<ChannelMessage> decodeChannelMessage(const ChannelProtocol& protocol,
                                                   std::string_view payload);

}  // namespace kcpp::streaming
