#pragma once
// Scalars as Go's encoding/json writes them: strings with invalid UTF-8 repaired,
// and []byte as standard padded base64.

#include <string>
#include <string_view>

namespace kcpp::protobuf {

// The text with every byte that is not part of a valid UTF-8 sequence replaced by
// U+FFFD, as Go's JSON encoder does.
std::string validUtf8(std::string_view text);

// Standard base64 (RFC 4648) with padding, as Go encodes []byte in JSON.
std::string base64(std::string_view bytes);

}  // namespace kcpp::protobuf
