#pragma once
// JSON Merge Patch (RFC 7386), as upstream's apiserver applies it
// (gopkg.in/evanphx/json-patch.v4 MergePatch): null deletes a member, objects
// merge recursively, anything else replaces.

#include <string_view>

#include <boost/json/value.hpp>

#include "api/patch/patch_type.h"
#include "util/error.h"

namespace kcpp::patch {

// MergePatch(target, patch) of RFC 7386 section 2. Where the library upstream
// uses differs, this follows the library: when a patch value lands where the
// target has no object (or at the top level, for an array patch), nulls are
// pruned from the objects nested in it, arrays included.
boost::json::value mergePatch(const boost::json::value& target, const boost::json::value& patch);

// The apiserver's merge-patch step. A body that is not JSON, is null, or is a
// scalar is 400 BadRequest "Invalid JSON Patch"; with strict decoding, a body
// that is not JSON or not an object (or null) is 400 "error decoding patch: ..."
// in Go's words, and duplicate keys become strict errors.
Result<Patched> applyMergePatch(const boost::json::value& doc, std::string_view body, Decoding decoding);

}  // namespace kcpp::patch
