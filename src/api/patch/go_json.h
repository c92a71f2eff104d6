#pragma once
// How Go's encoding/json (which upstream decodes patch bodies with) sees a JSON
// text, so that our 400 messages match upstream's byte for byte.

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "util/error.h"

namespace kcpp::patch {

// Go's checkValid: nullopt for valid JSON, else the SyntaxError message, e.g.
// "invalid character 'x' looking for beginning of value" or
// "unexpected end of JSON input".
std::optional<std::string> goJsonSyntaxError(std::string_view text);

// How Go's UnmarshalTypeError names a JSON value: "object", "array", "string",
// "number", "bool" (and "null").
std::string_view goJsonKind(const boost::json::value& v);

// Parses `text` accepting what Go accepts (invalid UTF-8 in strings, nesting up
// to 10000). A syntax error is 400 BadRequest with Go's message.
Result<boost::json::value> parseJsonLikeGo(std::string_view text);

}  // namespace kcpp::patch
