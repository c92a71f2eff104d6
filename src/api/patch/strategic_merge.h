#pragma once
// Strategic merge patch (application/strategic-merge-patch+json), as upstream's
// apiserver applies it to built-in types (apimachinery's strategicpatch with
// the patch metadata of the Go types; here the same metadata read from the
// OpenAPI v3 schemas: x-kubernetes-patch-strategy and -patch-merge-key).
//
//   auto patched = applyStrategicMergePatch(current, body, schemas, schemas.rootName("apps", "v1",
//                                           "Deployment"), decodingFor(fieldValidation));
//
// Semantics, as upstream's:
// - objects merge recursively; null deletes a member; scalars and values of a
//   different type replace;
// - lists whose field has strategy "merge" merge: lists of objects by the field's
//   merge key (items matched by key merge, new items are added), lists of
//   scalars as a union; every other list (no strategy, or a list-type=map list
//   without a patch strategy) is replaced by the patch's list;
// - directives: {"$patch": "replace"} replaces an object, {"$patch": "delete"}
//   deletes it (in a merging list: the item with that key); [{"$patch":
//   "replace"}, ...] replaces a merging list; "$deleteFromPrimitiveList/<f>"
//   removes scalars from list f; "$setElementOrder/<f>" orders list f (the patch's
//   order first, then the live items' order); "$retainKeys" drops the fields of
//   the live object it does not list; "$patch": "merge" is refused, as upstream
//   refuses it;
// - a field with strategy "replace" is replaced as a whole.
// Errors as the apiserver answers them: 400 for malformed bodies and directives
// ("invalid patch format of retainKeys", ...), 422 for lists of lists, and 500
// (with upstream's message) for the rest, e.g. `map: map[image:x] does not
// contain declared merge key: name` or `unable to find api field in struct
// PodSpec for the json field "x"`.

#include <string_view>

#include <boost/json.hpp>

#include "api/patch/patch_type.h"
#include "api/schema/schema_set.h"
#include "util/error.h"

namespace kcpp::patch {

// The merge itself (StrategicMergeMapPatch) of two decoded objects, `rootName`
// naming the definition of the object's type (SchemaSet::rootName; an unknown
// name is an InternalError).
Result<boost::json::object> strategicMergePatch(boost::json::object original, boost::json::object patch,
                                                const api::SchemaSet& schemas, std::string_view rootName);

// The apiserver's strategic-merge-patch step. The body must be a JSON object (or
// null: nothing changes); otherwise 400 with Go's words ("invalid character ...",
// "json: cannot unmarshal array into Go value of type map[string]interface {}").
// Strictly, duplicate fields become strict errors. Null members and leftover
// directives the merge leaves in typed objects are dropped, as decoding into the
// Go type drops them.
Result<Patched> applyStrategicMergePatch(const boost::json::value& doc, std::string_view body,
                                         const api::SchemaSet& schemas, std::string_view rootName,
                                         Decoding decoding);

}  // namespace kcpp::patch
