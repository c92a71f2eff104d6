#include "api/patch/merge_patch.h"

#include "api/patch/go_json.h"
#include "api/patch/strict_fields.h"

namespace kcpp::patch {
namespace {

using boost::json::value;

// Removes null members from objects, at any depth (through arrays too); null
// array elements stay.
value pruneNulls(value v) {
  if (v.is_object()) {
    auto& o = v.get_object();
    for (auto it = o.begin(); it != o.end();) {
      if (it->value().is_null()) {
        it = o.erase(it);
      } else {
        it->value() = pruneNulls(std::move(it->value()));
        ++it;
      }
    }
  } else if (v.is_array()) {
    for (auto& item : v.get_array()) item = pruneNulls(std::move(item));
  }
  return v;
}

value merge(value current, const value& patch);

void mergeObjects(boost::json::object& doc, const boost::json::object& patch) {
  for (const auto& [key, v] : patch) {
    if (v.is_null()) {
      doc.erase(key);
      continue;
    }
    value* existing = doc.if_contains(key);
    if (existing && !existing->is_null()) *existing = merge(std::move(*existing), v);
    else doc[key] = pruneNulls(v);
  }
}

value merge(value current, const value& patch) {
  if (!current.is_object()) return pruneNulls(patch);
  if (!patch.is_object()) return patch;
  mergeObjects(current.get_object(), patch.get_object());
  return current;
}

Error invalidPatch() { return makeError(Reason::BadRequest, "Invalid JSON Patch"); }

}  // namespace

value mergePatch(const value& target, const value& patch) {
  if (patch.is_object()) return merge(target, patch);
  if (patch.is_array()) return pruneNulls(patch);
  return patch;
}

Result<Patched> applyMergePatch(const value& doc, std::string_view body, Decoding decoding) {
  auto parsed = parseJsonLikeGo(body);
  Patched out;
  if (decoding == Decoding::Strict) {
    const std::string prefix = "error decoding patch: ";
    if (!parsed) return makeError(Reason::BadRequest, prefix + parsed.error().message);
    if (!parsed->is_object() && !parsed->is_null()) {
      return makeError(Reason::BadRequest, prefix + "json: cannot unmarshal " + std::string(goJsonKind(*parsed)) +
                                               " into Go value of type map[string]interface {}");
    }
    out.strictErrors = strictFieldErrors(body);
  }
  if (!parsed || !(parsed->is_object() || parsed->is_array())) return invalidPatch();
  out.object = mergePatch(doc, *parsed);
  return out;
}

}  // namespace kcpp::patch
