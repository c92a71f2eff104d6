// Decoding a JSON patch body the way upstream's patch handler does: optionally a
// strict decode into []jsonPatchOp first, then jsonpatch.DecodePatch.
#include "api/patch/json_patch.h"

#include <algorithm>
#include <array>

#include "api/patch/go_json.h"
#include "api/patch/strict_fields.h"

namespace kcpp::patch {
namespace {

constexpr std::array<std::string_view, 4> kOpFields = {"op", "path", "from", "value"};

Error badRequest(std::string message) { return makeError(Reason::BadRequest, std::move(message)); }

std::string cannotUnmarshal(const boost::json::value& v, std::string_view into) {
  return "json: cannot unmarshal " + std::string(goJsonKind(v)) + " into " + std::string(into);
}

// jsonpatch.DecodePatch: a null or an array of objects (or nulls).
Result<void> checkLenient(const boost::json::value& patch) {
  if (patch.is_null()) return {};
  if (!patch.is_array()) return badRequest(cannotUnmarshal(patch, "Go value of type jsonpatch.Patch"));
  for (const auto& op : patch.get_array()) {
    if (!op.is_object() && !op.is_null()) {
      return badRequest(cannotUnmarshal(op, "Go value of type jsonpatch.Operation"));
    }
  }
  return {};
}

std::optional<std::string> checkStrictOp(const boost::json::value& op) {
  if (op.is_null()) return std::nullopt;
  if (!op.is_object()) return cannotUnmarshal(op, "Go value of type handlers.jsonPatchOp");
  for (const auto& [key, value] : op.get_object()) {
    bool stringField = key == "op" || key == "path" || key == "from";
    if (stringField && !value.is_string() && !value.is_null()) {
      return cannotUnmarshal(value, "Go struct field jsonPatchOp." + std::string(key) + " of type string");
    }
  }
  return std::nullopt;
}

// The handler's strict decode into []jsonPatchOp{Op, Path, From string; Value any}.
Result<void> checkStrict(const boost::json::value& patch) {
  const std::string prefix = "error decoding patch: ";
  if (patch.is_null()) return {};
  if (!patch.is_array()) return badRequest(prefix + cannotUnmarshal(patch, "Go value of type []handlers.jsonPatchOp"));
  for (const auto& op : patch.get_array()) {
    if (auto err = checkStrictOp(op)) return badRequest(prefix + *err);
  }
  return {};
}

std::vector<std::string> strictOpErrors(std::string_view body) {
  auto unknown = [](std::size_t depth, std::string_view key) {
    return depth == 2 && std::find(kOpFields.begin(), kOpFields.end(), key) == kOpFields.end();
  };
  auto errors = strictFieldErrors(body, unknown);
  for (auto& e : errors) e = "json patch " + e;
  return errors;
}

}  // namespace

Result<JsonPatch> JsonPatch::parse(std::string_view body, Decoding decoding) {
  auto parsed = parseJsonLikeGo(body);
  if (!parsed) {
    if (decoding == Decoding::Strict) return badRequest("error decoding patch: " + parsed.error().message);
    return std::move(parsed).error();
  }
  JsonPatch patch;
  if (decoding == Decoding::Strict) {
    if (auto ok = checkStrict(*parsed); !ok) return std::move(ok).error();
    patch.strictErrors_ = strictOpErrors(body);
  }
  if (auto ok = checkLenient(*parsed); !ok) return std::move(ok).error();
  if (parsed->is_array()) {
    auto& ops = parsed->get_array();
    patch.ops_.assign(std::make_move_iterator(ops.begin()), std::make_move_iterator(ops.end()));
  }
  return patch;
}

Result<Patched> applyJsonPatch(const boost::json::value& doc, std::string_view body, Decoding decoding) {
  auto patch = JsonPatch::parse(body, decoding);
  if (!patch) return std::move(patch).error();
  if (patch->size() > kMaxJsonPatchOperations) {
    return makeError(Reason::RequestEntityTooLarge, "The allowed maximum operations in a JSON patch is " +
                                                        std::to_string(kMaxJsonPatchOperations) + ", got " +
                                                        std::to_string(patch->size()));
  }
  auto applied = patch->apply(doc);
  if (!applied) {
    // Upstream answers NewGenericServerResponse(422, ...), which drops the detail.
    return makeError(Reason::Invalid, "the server rejected our request due to an error in our request");
  }
  return Patched{std::move(applied).value(), patch->strictErrors()};
}

}  // namespace kcpp::patch
