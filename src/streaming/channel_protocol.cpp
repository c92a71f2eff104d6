#include "streaming/channel_protocol.h"

#include <boost/beast/core/detail/base64.hpp>

namespace kcpp::streaming {

namespace base64 = boost::beast::detail::base64;

std::vector<std::string> splitProtocols(std::string_view header) {
  std::vector<std::string> names;
  while (!header.empty()) {
    auto comma = header.find(',');
    std::string_view name = header.substr(0, comma);
    while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.remove_prefix(1);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    if (!name.empty()) names.emplace_back(name);
    header = comma == std::string_view::npos ? "" : header.substr(comma + 1);
  }
  return names;
}

std::optional<ChannelProtocol> channelProtocolNamed(std::string_view name) {
  ChannelProtocol p;
  p.name = std::string(name);
  if (name == kChannelV5) p.version = 5;
  else if (name == kChannelV4) p.version = 4;
  else if (name == kChannelV3) p.version = 3;
  else if (name == kChannelV2) p.version = 2;
  else if (name == kChannel || name.empty()) p.version = 1;
  else if (name == kBase64Channel) p.encoding = ChannelEncoding::Base64;
  else return std::nullopt;
  return p;
}

std::optional<ChannelProtocol> negotiateChannelProtocol(
    const std::vector<std::string>& offered, const std::vector<std::string_view>& supported) {
  if (offered.empty()) return channelProtocolNamed("");
  for (const auto& name : offered) {
    for (auto s : supported) {
      if (s == name) return channelProtocolNamed(name);
    }
  }
  return std::nullopt;
}

std::string encodeChannelMessage(const ChannelProtocol& protocol, std::uint8_t channel,
                                 std::string_view data) {
  std::string out;
  if (protocol.encoding == ChannelEncoding::Base64) {
    out.resize(1 + base64::encoded_size(data.size()));
    out[0] = static_cast<char>('0' + channel);
    out.resize(1 + base64::encode(out.data() + 1, data.data(), data.size()));
    return out;
  }
  out.reserve(1 + data.size());
  out.push_back(static_cast<char>(channel));
  out.append(data);
  return out;
}

std::string encodeCloseSignal(std::uint8_t channel) {
  return std::string{static_cast<char>(kCloseSignal), static_cast<char>(channel)};
}

std::optional<ChannelMessage> decodeChannelMessage(const ChannelProtocol& protocol,
                                                   std::string_view payload) {
  if (payload.empty()) return std::nullopt;
  ChannelMessage m;
  if (protocol.encoding == ChannelEncoding::Base64) {
    char digit = payload[0];
    if (digit < '0' || digit > '9') return std::nullopt;
    m.channel = static_cast<std::uint8_t>(digit - '0');
    std::string_view text = payload.substr(1);
    m.data.resize(base64::decoded_size(text.size()));
    auto [written, read] = base64::decode(m.data.data(), text.data(), text.size());
    if (read != text.size()) return std::nullopt;
    m.data.resize(written);
    return m;
  }
  m.channel = static_cast<std::uint8_t>(payload[0]);
  m.data = std::string(payload.substr(1));
  return m;
}

}  // namespace kcpp::streaming
