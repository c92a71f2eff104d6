#pragma once
// Standard base64 (RFC 4648, padded), through OpenSSL's encoder.

#include <string>
#include <string_view>

#include "util/error.h"

namespace kcpp::pki {

// One line, no newlines.
std::string base64Encode(std::string_view bytes);

// Accepts padded input, with or without line breaks; BadRequest on malformed input.
Result<std::string> base64Decode(std::string_view text);

}  // namespace kcpp::pki
