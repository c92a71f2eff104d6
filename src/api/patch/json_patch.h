#pragma once
// JSON Patch (RFC 6902), as upstream's apiserver applies it (gopkg.in/evanphx/json-patch.v4).
//
//   auto patched = applyJsonPatch(current, body, decodingFor(fieldValidation));
//   if (!patched) return patched.error();   // 400, 413 or 422 as upstream
//
// Semantics are the library's, including where it departs from the RFC:
// - "replace" of a missing object member adds it; "copy" from a missing member copies null;
// - negative array indexes count from the end; "add" at "" fails; "replace" at ""
//   swaps the whole document (a non-container value is silently ignored);
// - a missing "value" is null; a path not starting with '/' loses its first segment.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "api/patch/patch_type.h"
#include "util/error.h"

namespace kcpp::patch {

// Upstream's limit on operations per JSON patch (413 beyond it).
inline constexpr std::size_t kMaxJsonPatchOperations = 10000;

class JsonPatch {
 public:
  // Decodes an application/json-patch+json body: a JSON array of operation
  // objects. Malformed bodies are 400 BadRequest with upstream's message (Go's
  // encoding/json wording, prefixed "error decoding patch: " when strict).
  static Result<JsonPatch> parse(std::string_view body, Decoding decoding = Decoding::Lenient);

  std::size_t size() const { return ops_.size(); }
  // Strict decoding only: `json patch unknown field "[0].foo"` and the like.
  const std::vector<std::string>& strictErrors() const { return strictErrors_; }

  // Applies the operations in order. A failing operation is 422 Invalid whose
  // message is the library's detail (e.g. "testing value /a failed: test failed");
  // upstream does not send that detail to clients, applyJsonPatch() hides it.
  Result<boost::json::value> apply(boost::json::value doc) const;

 private:
  std::vector<boost::json::value> ops_;  // objects, or null (an operation of kind "unknown")
  std::vector<std::string> strictErrors_;
};

// The apiserver's JSON patch step: decode (400), at most 10000 operations (413
// "The allowed maximum operations in a JSON patch is 10000, got N"), apply (422
// Invalid, "the server rejected our request due to an error in our request").
Result<Patched> applyJsonPatch(const boost::json::value& doc, std::string_view body, Decoding decoding);

}  // namespace kcpp::patch
