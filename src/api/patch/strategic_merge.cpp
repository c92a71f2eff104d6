// Strategic merge patch: objects, directives and the apiserver's entry point.
// Lists are in strategic_merge_lists.cpp.
#include "api/patch/strategic_merge.h"

#include "api/patch/go_json.h"
#include "api/patch/strategic_merge_internal.h"
#include "api/patch/strict_fields.h"
#include "api/schema/schema_navigation.h"

namespace kcpp::patch {

namespace smp {
namespace {

// handleDirectiveInMergeMap: an object holding "$patch".
Result<json::object> mapDirective(json::object patch) {
  const json::value directive = patch.at(kDirective);
  if (directive == "replace") {
    patch.erase(kDirective);
    return patch;
  }
  if (directive == "delete") return json::object();
  return badPatchType(directive, patch);
}

bool isRetainKeysExempt(std::string_view key, const json::value& v) {
  return v.is_null() || key.starts_with(kDeleteFromPrimitiveList) || key.starts_with(kSetElementOrder);
}

bool listed(const json::array& list, std::string_view key) {
  for (const auto& item : list) {
    if (item.is_string() && item.get_string() == key) return true;
  }
  return false;
}

// applyRetainKeysDirective: every field the patch sets must be listed; fields of
// the original that are not listed are dropped.
Result<void> applyRetainKeys(json::object& original, json::object& patch) {
  auto it = patch.find(kRetainKeys);
  if (it == patch.end()) return {};
  json::value retain = std::move(it->value());
  patch.erase(it);
  if (!retain.is_array()) return badPatchFormatForRetainKeys();
  const json::array& keys = retain.get_array();
  for (const auto& [k, v] : patch) {
    if (!isRetainKeysExempt(k, v) && !listed(keys, k)) return badPatchFormatForRetainKeys();
  }
  for (auto field = original.begin(); field != original.end();) {
    field = listed(keys, field->key()) ? std::next(field) : original.erase(field);
  }
  return {};
}

// extractKey: "$deleteFromPrimitiveList/finalizers" → "finalizers".
std::optional<std::string> keyAfter(std::string_view key, std::string_view prefix) {
  auto slash = key.find('/');
  if (slash == std::string_view::npos || key.substr(0, slash) != prefix) return std::nullopt;
  return std::string(key.substr(slash + 1));
}

bool sameGoType(const json::value& a, const json::value& b) { return goType(a) == goType(b); }

// Sets original[key] to a patch value with its directives removed (and nulls
// discarded: the patch value meets nothing they could delete).
void takePatchValue(json::object& original, std::string_view key, json::value v) {
  discardNulls(v);
  auto kept = removeDirectives(std::move(v));
  if (kept) original[key] = std::move(*kept);
  else original.erase(key);
}

Result<void> mergeSameKind(json::object& original, const std::string& key, json::value patchV,
                           const TypeSchema& type, bool isDeleteList) {
  json::value& current = original.at(key);
  if (current.is_object()) {
    auto field = type.lookupStruct(key);
    if (!field) return std::move(field).error();
    if (field->strategy == "replace") {
      current = std::move(patchV);
      return {};
    }
    auto merged = mergeMap(std::move(current.get_object()), std::move(patchV.get_object()), field->type);
    if (!merged) return std::move(merged).error();
    original[key] = std::move(*merged);
    return {};
  }
  if (current.is_array()) {
    auto field = type.lookupSlice(key);
    if (!field) return std::move(field).error();
    auto merged = mergeSliceHandler(std::move(current.get_array()), std::move(patchV.get_array()), *field,
                                    isDeleteList);
    if (!merged) return std::move(merged).error();
    original[key] = std::move(*merged);
    return {};
  }
  auto kept = removeDirectives(std::move(patchV));
  if (kept) current = std::move(*kept);
  else original.erase(key);
  return {};
}

// One member of the patch (the loop of upstream's mergeMap).
Result<void> mergeField(json::object& original, std::string key, json::value patchV, const TypeSchema& type) {
  bool isDeleteList = false;
  if (key.starts_with(kDeleteFromPrimitiveList)) {
    auto field = keyAfter(key, kDeleteFromPrimitiveList);
    if (!field) return badPatchFormatForPrimitiveList();
    key = std::move(*field);
    isDeleteList = true;
  }
  if (patchV.is_null()) {
    original.erase(key);
    return {};
  }
  const json::value* current = original.if_contains(key);
  if (!current || !sameGoType(*current, patchV)) {
    if (!isDeleteList) takePatchValue(original, key, std::move(patchV));
    return {};
  }
  return mergeSameKind(original, key, std::move(patchV), type, isDeleteList);
}

}  // namespace

void discardNulls(json::value& v) {
  if (v.is_object()) {
    json::object& o = v.get_object();
    for (auto it = o.begin(); it != o.end();) {
      if (it->value().is_null()) {
        it = o.erase(it);
      } else {
        discardNulls(it->value());
        ++it;
      }
    }
  } else if (v.is_array()) {
    for (auto& item : v.get_array()) discardNulls(item);
  }
}

std::optional<json::value> removeDirectives(json::value v) {
  if (v.is_object()) {
    json::object& o = v.get_object();
    if (o.contains(kDirective)) return std::nullopt;
    for (auto it = o.begin(); it != o.end();) {
      auto kept = removeDirectives(std::move(it->value()));
      if (kept) {
        it->value() = std::move(*kept);
        ++it;
      } else {
        it = o.erase(it);
      }
    }
  } else if (v.is_array()) {
    json::array out;
    for (auto& item : v.get_array()) {
      if (auto kept = removeDirectives(std::move(item))) out.push_back(std::move(*kept));
    }
    return json::value(std::move(out));
  }
  return v;
}

Result<json::object> mergeMap(json::object original, json::object patch, const TypeSchema& type) {
  if (patch.contains(kDirective)) return mapDirective(std::move(patch));
  if (auto r = applyRetainKeys(original, patch); !r) return std::move(r).error();
  if (auto r = mergeOrderedLists(original, patch, type); !r) return std::move(r).error();
  for (auto& member : patch) {
    auto r = mergeField(original, std::string(member.key()), std::move(member.value()), type);
    if (!r) return std::move(r).error();
  }
  return original;
}

}  // namespace smp

namespace {

namespace json = boost::json;

// What decoding into the Go type does to the merged object: null members of
// typed objects (left by replaced values and appended list items, which the
// merge takes as they are) and leftover directives ("$retainKeys" in a value the
// live object did not have, ...) are dropped. Free-form values are kept as they
// are. Other unknown fields were already dropped from the patch by the API layer.
void dropDecodedAway(json::value& v, const api::SchemaSet& schemas, const json::object& schema) {
  const json::object& resolved = api::resolveSchema(schemas, schema);
  if (api::isFreeForm(resolved)) return;
  if (v.is_array()) {
    const json::object* items = api::elementSchema(schemas, resolved);
    if (items) {
      for (auto& item : v.get_array()) dropDecodedAway(item, schemas, *items);
    }
    return;
  }
  if (!v.is_object() || !resolved.contains("properties")) return;
  json::object& o = v.get_object();
  for (auto it = o.begin(); it != o.end();) {
    auto field = api::fieldSchema(schemas, resolved, it->key());
    if (field ? it->value().is_null() : it->key().starts_with("$")) {
      it = o.erase(it);
      continue;
    }
    if (field) dropDecodedAway(it->value(), schemas, *field->property);
    ++it;
  }
}

Error notAnObject(const json::value& body) {
  return makeError(Reason::BadRequest, "json: cannot unmarshal " + std::string(goJsonKind(body)) +
                                           " into Go value of type map[string]interface {}");
}

}  // namespace

Result<json::object> strategicMergePatch(json::object original, json::object patch, const api::SchemaSet& schemas,
                                         std::string_view rootName) {
  auto type = smp::TypeSchema::named(schemas, rootName);
  if (!type) return makeError(Reason::InternalError, "no schema for " + std::string(rootName));
  return smp::mergeMap(std::move(original), std::move(patch), *type);
}

Result<Patched> applyStrategicMergePatch(const json::value& doc, std::string_view body, const api::SchemaSet& schemas,
                                         std::string_view rootName, Decoding decoding) {
  auto parsed = parseJsonLikeGo(body);
  if (!parsed) return std::move(parsed).error();
  if (!parsed->is_object() && !parsed->is_null()) return notAnObject(*parsed);
  if (!doc.is_object()) return makeError(Reason::InternalError, "the object to patch is not a JSON object");
  Patched out;
  if (decoding == Decoding::Strict) out.strictErrors = strictFieldErrors(body);
  json::object patch = parsed->is_object() ? std::move(parsed->get_object()) : json::object();
  auto merged = strategicMergePatch(doc.get_object(), std::move(patch), schemas, rootName);
  if (!merged) return std::move(merged).error();
  out.object = std::move(*merged);
  dropDecodedAway(out.object, schemas, *schemas.definition(rootName));
  return out;
}

}  // namespace kcpp::patch
