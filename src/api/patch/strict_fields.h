#pragma once
// Strict decoding as upstream's sigs.k8s.io/json UnmarshalStrict reports it:
// duplicate object keys anywhere, and unknown fields where the caller says which
// fields exist, with paths like "spec.containers[0].name".

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace kcpp::patch {

// Says whether `key` is an unknown field of an object at `depth` (the top-level
// value has depth 1). Unknown fields are reported and their values not examined.
using UnknownFieldPredicate = std::function<bool(std::size_t depth, std::string_view key)>;

// The strict errors of a syntactically valid JSON text, in document order,
// de-duplicated and capped at 100 as upstream does: `duplicate field "a.b"`,
// `unknown field "[0].foo"`.
std::vector<std::string> strictFieldErrors(std::string_view text, const UnknownFieldPredicate& unknown = {});

}  // namespace kcpp::patch
