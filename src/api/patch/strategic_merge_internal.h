#pragma once
// Internals of the strategic merge patch (strategic_merge.h): the schema lookups
// that stand in for upstream's Go struct tags, the merge of lists, and the
// errors worded as upstream's Go code words them.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "api/schema/schema_set.h"
#include "util/error.h"

namespace kcpp::patch::smp {

namespace json = boost::json;

inline constexpr std::string_view kDirective = "$patch";
inline constexpr std::string_view kRetainKeys = "$retainKeys";
inline constexpr std::string_view kDeleteFromPrimitiveList = "$deleteFromPrimitiveList";
inline constexpr std::string_view kSetElementOrder = "$setElementOrder";

// ---- The type of a value, as upstream's PatchMetaFromStruct sees the Go type.

struct FieldMeta;

class TypeSchema {
 public:
  TypeSchema() = default;
  // The type of a field (or list items) as its schema is written: a reference
  // names the Go type.
  TypeSchema(const api::SchemaSet& set, const json::object& schema);
  // The type of a definition, by its full name.
  static std::optional<TypeSchema> named(const api::SchemaSet& set, std::string_view name);

  // The field `key` of a struct: its type and patch metadata. Errors as
  // upstream's LookupPatchMetadataForStruct: the type is not a struct, or has no
  // such field ("unable to find api field in struct PodSpec for the json field ...").
  Result<FieldMeta> lookupStruct(std::string_view key) const;
  // The same for a list field: the type returned is that of its elements.
  Result<FieldMeta> lookupSlice(std::string_view key) const;
  // reflect.Kind of the Go type: "struct", "map", "slice", "string", "int64", ...
  std::string_view kind() const;

 private:
  const api::SchemaSet* set_ = nullptr;
  const json::object* schema_ = nullptr;  // resolved
  std::string name_;                      // the Go type name of a definition
};

struct FieldMeta {
  TypeSchema type;
  std::string strategy;  // "merge", "replace" or "", retainKeys taken out
  std::string mergeKey;
};

// ---- Go's view of decoded JSON values.

// reflect.TypeOf(v).String(): "map[string]interface {}", "[]interface {}", "string",
// "int64", "float64", "bool"; an empty string for null.
std::string goType(const json::value& v);
// Go's == on two interface{} values holding decoded JSON (maps and slices never
// compare equal).
bool goEqual(const json::value& a, const json::value& b);
// fmt's %v of a decoded JSON value: map[a:1 b:[x y]], <nil>, 1e+06. With
// `verbS`, fmt's %s instead (non-strings as %!s(int64=1)).
std::string goFormat(const json::value& v, bool verbS = false);

// ---- Errors (mergepatch's and strategicpatch's), with the HTTP status the
// apiserver gives them (interpretStrategicMergePatchError).

Error badPatchFormatForPrimitiveList();   // 400
Error badPatchFormatForRetainKeys();      // 400
Error badPatchFormatForSetElementOrder();  // 400
Error noListOfLists();                     // 422
// mergepatch.ErrBadArgType(expected, actual): "expected a <t>, but received a <t>".
Error badArgType(std::string_view expected, const json::value& actual);
// "map: map[...] does not contain declared merge key: name".
Error noMergeKey(const json::object& m, std::string_view key);
// "unknown patch type: x in map: map[...]".
Error badPatchType(const json::value& directive, const json::object& m);
// Any other error: the apiserver answers 500 with the message and no reason
// (Reason::Unknown).
Error otherError(std::string message);

// ---- Merging (strategic_merge.cpp, strategic_merge_lists.cpp).

// mergeMap: merges `patch` into `original` (both may be changed).
Result<json::object> mergeMap(json::object original, json::object patch, const TypeSchema& type);

// Drops null members of objects at any depth (discardNullValuesFromPatch).
void discardNulls(json::value& v);
// Drops objects holding "$patch" (and the members and elements that held them);
// nullopt when `v` itself is such an object (removeDirectives).
std::optional<json::value> removeDirectives(json::value v);

// mergeSliceHandler: merges the lists when the strategy is "merge" (or for a
// $deleteFromPrimitiveList list), else the patch replaces the list.
Result<json::array> mergeSliceHandler(json::array original, json::array patch, const FieldMeta& field,
                                      bool isDeleteList);

// mergePatchIntoOriginal: every $setElementOrder/<field> directive of `patch`
// with its list, merged into `original` in the order asked for; both are removed
// from `patch`.
Result<void> mergeOrderedLists(json::object& original, json::object& patch, const TypeSchema& type);

}  // namespace kcpp::patch::smp
