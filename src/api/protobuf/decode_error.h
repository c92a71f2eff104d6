#pragma once
// Decode errors with the path of the field that failed.
//
// While an error unwinds, each level prepends its field name, list index or map
// key to the path kept in causes[0].field; the public entry point then words one
// message from path and detail (see describe()).

#include <cstddef>
#include <string>
#include <string_view>

#include "util/error.h"

namespace kcpp::protobuf {

// A BadRequest about malformed input.
Error decodeError(std::string detail);

Error inField(Error error, std::string_view jsonName);
Error inIndex(Error error, std::size_t index);
Error inKey(Error error, std::string_view key);

// "<what>: <path>: <detail>" (the path only if any), with the path cleared.
Error describe(Error error, std::string_view what);

}  // namespace kcpp::protobuf
