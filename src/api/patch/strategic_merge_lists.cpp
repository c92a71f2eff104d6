// Strategic merge patch: lists. Merging lists of objects by merge key and lists
// of scalars as sets, the $patch directives inside lists, $deleteFromPrimitiveList
// and $setElementOrder, and the order of the result (upstream's
// normalizeElementOrder: the patch's items in the patch's order, the live
// object's other items in their order, interleaved by their live positions).
#include <utility>

#include "api/patch/strategic_merge_internal.h"

namespace kcpp::patch::smp {
namespace {

constexpr std::string_view kGoMap = "map[string]interface {}";
constexpr std::string_view kGoSlice = "[]interface {}";

using Lists = std::pair<json::array, json::array>;

std::string formatLists(std::initializer_list<const json::array*> lists) {
  std::string out = "[";
  for (const json::array* l : lists) out += (out.size() > 1 ? " " : "") + goFormat(*l);
  return out + "]";
}

// sliceElementType: the Go type every element of the lists has.
Result<std::string> elementType(std::initializer_list<const json::array*> lists) {
  std::string type;
  for (const json::array* l : lists) {
    for (const auto& v : *l) {
      if (type.empty()) {
        type = goType(v);
        if (v.is_array()) return noListOfLists();
      } else if (type != goType(v)) {
        return otherError("list element types are not identical: " + formatLists(lists));
      }
    }
  }
  if (type.empty()) return otherError("no elements in any of the given slices");
  return type;
}

json::value mergeKeyOf(const json::value& item, std::string_view mergeKey) {
  const json::value* v = item.is_object() ? item.get_object().if_contains(mergeKey) : nullptr;
  return v ? *v : json::value();
}

// index: the position of `item` in `list` (by merge key for objects), or -1.
long indexOf(const json::array& list, const json::value& item, std::string_view mergeKey, bool maps) {
  json::value wanted = maps ? mergeKeyOf(item, mergeKey) : item;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (goEqual(wanted, maps ? mergeKeyOf(list[i], mergeKey) : list[i])) return static_cast<long>(i);
  }
  return -1;
}

// findMapInSliceBasedOnKeyValue.
Result<std::optional<std::size_t>> findByKey(const json::array& list, std::string_view key, const json::value& value) {
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (!list[i].is_object()) return otherError("value for key " + std::to_string(i) + " is not a map");
    const json::value* v = list[i].get_object().if_contains(key);
    if (v && goEqual(*v, value)) return std::optional<std::size_t>(i);
  }
  return std::optional<std::size_t>();
}

Result<void> checkMergeKeys(std::string_view mergeKey, std::initializer_list<const json::array*> lists) {
  for (const json::array* l : lists) {
    for (const auto& item : *l) {
      if (!item.is_object()) return badArgType(kGoMap, item);
      if (!item.get_object().contains(mergeKey)) return noMergeKey(item.get_object(), mergeKey);
    }
  }
  return {};
}

bool isDeleteItem(const json::object& item) {
  const json::value* d = item.if_contains(kDirective);
  return d && d->is_string() && d->get_string() == "delete";
}

// extractToDeleteItems: (items to keep, items that are {"$patch": "delete"}).
Result<Lists> splitDeletions(json::array list) {
  Lists out;
  for (auto& v : list) {
    if (!v.is_object()) return badArgType(kGoMap, v);
    (isDeleteItem(v.get_object()) ? out.second : out.first).push_back(std::move(v));
  }
  return out;
}

// normalizeSliceOrder: `toSort` sorted by the positions in `order`, deletions last.
// Upstream's comparison (an item `order` lacks sorts before anything) with Go's
// stable sort, which for such lists is an insertion sort.
Result<json::array> sortByOrder(json::array toSort, const json::array& order, std::string_view mergeKey, bool maps) {
  json::array deletions;
  if (maps) {
    if (auto r = checkMergeKeys(mergeKey, {&toSort, &order}); !r) return std::move(r).error();
    auto split = splitDeletions(std::move(toSort));
    if (!split) return std::move(split).error();
    toSort = std::move(split->first);
    deletions = std::move(split->second);
  }
  auto less = [&](const json::value& a, const json::value& b) {
    long ia = indexOf(order, a, mergeKey, maps);
    if (ia < 0) return true;
    long ib = indexOf(order, b, mergeKey, maps);
    return ib < 0 || ia < ib;
  };
  for (std::size_t i = 1; i < toSort.size(); ++i) {
    for (std::size_t j = i; j > 0 && less(toSort[j], toSort[j - 1]); --j) std::swap(toSort[j], toSort[j - 1]);
  }
  for (auto& d : deletions) toSort.push_back(std::move(d));
  return toSort;
}

// mergeSortedSlice: each server-only item (left) goes before the first patch item
// (right) that comes after it in the live list.
json::array interleave(json::array left, json::array right, const json::array& serverOrder, std::string_view mergeKey,
                       bool maps) {
  json::array out;
  std::size_t i = 0, j = 0;
  while (i < left.size() || j < right.size()) {
    bool takeLeft = j >= right.size();
    if (i < left.size() && j < right.size()) {
      long li = indexOf(serverOrder, left[i], mergeKey, maps);
      long ri = indexOf(serverOrder, right[j], mergeKey, maps);
      takeLeft = li >= 0 && ri >= 0 && li < ri;
    }
    out.push_back(std::move(takeLeft ? left[i++] : right[j++]));
  }
  return out;
}

// normalizeElementOrder.
Result<json::array> normalizeOrder(json::array patchItems, json::array serverOnly, const json::array& patchOrder,
                                   const json::array& serverOrder, std::string_view mergeKey, bool maps) {
  auto sortedPatch = sortByOrder(std::move(patchItems), patchOrder, mergeKey, maps);
  if (!sortedPatch) return sortedPatch;
  auto sortedServer = sortByOrder(std::move(serverOnly), serverOrder, mergeKey, maps);
  if (!sortedServer) return sortedServer;
  return interleave(std::move(*sortedServer), std::move(*sortedPatch), serverOrder, mergeKey, maps);
}

// partitionPrimitivesByPresentInList: (items in `by`, the others).
Lists partitionScalars(const json::array& list, const json::array& by) {
  Lists out;
  for (const auto& v : list) {
    bool present = false;
    for (const auto& b : by) present = present || goEqual(v, b);
    (present ? out.first : out.second).push_back(v);
  }
  return out;
}

// partitionMapsByPresentInList.
Result<Lists> partitionMaps(const json::array& list, const json::array& by, std::string_view mergeKey) {
  Lists out;
  for (const auto& v : list) {
    if (!v.is_object()) return badArgType(kGoMap, v);
    const json::value* key = v.get_object().if_contains(mergeKey);
    if (!key) return noMergeKey(v.get_object(), mergeKey);
    auto found = findByKey(by, mergeKey, *key);
    if (!found) return std::move(found).error();
    (*found ? out.first : out.second).push_back(v);
  }
  return out;
}

Result<Lists> partitionItems(const json::array& list, const json::array& by, std::string_view mergeKey) {
  if (mergeKey.empty()) return partitionScalars(list, by);
  return partitionMaps(list, by, mergeKey);
}

// deduplicateScalars, with its way of filling a duplicate's place from the end.
json::array deduplicate(json::array s) {
  long length = static_cast<long>(s.size()) - 1;
  for (long i = 0; i < length; ++i) {
    for (long j = i + 1; j <= length; ++j) {
      if (goEqual(s[static_cast<std::size_t>(i)], s[static_cast<std::size_t>(j)])) {
        s[static_cast<std::size_t>(j)] = s[static_cast<std::size_t>(length)];
        s.resize(static_cast<std::size_t>(length));
        --length;
        --j;
      }
    }
  }
  return s;
}

json::array deleteFrom(const json::array& current, const json::array& toDelete) {
  json::array out;
  for (const auto& v : current) {
    bool deleted = false;
    for (const auto& d : toDelete) deleted = deleted || goEqual(v, d);
    if (!deleted) out.push_back(v);
  }
  return out;
}

Result<void> deleteMatching(json::array& list, std::string_view mergeKey, const json::value& value) {
  while (true) {
    auto found = findByKey(list, mergeKey, value);
    if (!found) return std::move(found).error();
    if (!*found) return {};
    list.erase(list.begin() + static_cast<std::ptrdiff_t>(**found));
  }
}

// mergeSliceWithSpecialElements: applies the items holding "$patch" and returns
// (original, patch without them); with a replace directive, (patch, nothing).
Result<Lists> applyListDirectives(json::array original, json::array patch, std::string_view mergeKey) {
  json::array rest;
  bool replace = false;
  for (auto& v : patch) {
    const json::object& item = v.get_object();
    const json::value* d = item.if_contains(kDirective);
    if (!d) {
      rest.push_back(std::move(v));
    } else if (*d == "delete") {
      const json::value* key = item.if_contains(mergeKey);
      if (!key) return noMergeKey(item, mergeKey);
      if (auto r = deleteMatching(original, mergeKey, *key); !r) return std::move(r).error();
    } else if (*d == "replace") {
      replace = true;
    } else if (*d == "merge") {
      return otherError("merging lists cannot yet be specified in the patch");
    } else {
      return badPatchType(*d, item);
    }
  }
  if (replace) return Lists{std::move(rest), json::array()};
  return Lists{std::move(original), std::move(rest)};
}

// mergeSliceWithoutSpecialElements: items matched by merge key are merged, the
// others appended as they are.
Result<json::array> mergeItems(json::array original, const json::array& patch, std::string_view mergeKey,
                               const TypeSchema& itemType) {
  for (const auto& v : patch) {
    const json::value* key = v.get_object().if_contains(mergeKey);
    if (!key) return noMergeKey(v.get_object(), mergeKey);
    auto found = findByKey(original, mergeKey, *key);
    if (!found) return std::move(found).error();
    if (!*found) {
      original.push_back(v);
      continue;
    }
    json::value& target = original[**found];
    auto merged = mergeMap(std::move(target.get_object()), v.get_object(), itemType);
    if (!merged) return std::move(merged).error();
    target = std::move(*merged);
  }
  return original;
}

Result<json::array> mergeSlice(json::array original, json::array patch, const FieldMeta& field, bool isDeleteList) {
  if (original.empty() && patch.empty()) return original;
  auto type = elementType({&original, &patch});
  if (!type) return std::move(type).error();
  bool maps = *type == kGoMap;
  json::array merged;
  if (!maps) {
    if (isDeleteList) return deleteFrom(original, patch);
    merged = original;
    for (const auto& v : patch) merged.push_back(v);
    merged = deduplicate(std::move(merged));
  } else {
    if (field.mergeKey.empty()) {
      return otherError("cannot merge lists without merge key for " + std::string(field.type.kind()));
    }
    auto split = applyListDirectives(std::move(original), std::move(patch), field.mergeKey);
    if (!split) return std::move(split).error();
    original = std::move(split->first);
    patch = std::move(split->second);
    auto items = mergeItems(original, patch, field.mergeKey, field.type);
    if (!items) return items;
    merged = std::move(*items);
  }
  auto parts = partitionItems(merged, patch, field.mergeKey);
  if (!parts) return std::move(parts).error();
  return normalizeOrder(std::move(parts->first), std::move(parts->second), patch, original, field.mergeKey, maps);
}

Result<bool> sameMergeKey(const json::value& left, const json::value& right, std::string_view mergeKey) {
  if (mergeKey.empty()) return goEqual(left, right);
  if (!left.is_object()) return badArgType(kGoMap, left);
  if (!right.is_object()) return badArgType(kGoMap, right);
  const json::value* l = left.get_object().if_contains(mergeKey);
  if (!l) return noMergeKey(left.get_object(), mergeKey);
  const json::value* r = right.get_object().if_contains(mergeKey);
  if (!r) return noMergeKey(right.get_object(), mergeKey);
  return goEqual(*l, *r);
}

// validatePatchWithSetOrderList: the patch's items (deletions aside) must appear
// in the $setElementOrder list, in its order.
Result<void> checkOrderList(const json::array& patchList, const json::array& order, std::string_view mergeKey) {
  if (order.empty() || patchList.empty()) return {};
  json::array items = patchList;
  if (!mergeKey.empty()) {
    auto split = splitDeletions(patchList);
    if (!split) return std::move(split).error();
    items = std::move(split->first);
  }
  std::size_t p = 0, o = 0;
  while (p < items.size() && o < order.size()) {
    if (items[p].is_object() && items[p].get_object().contains(kDirective)) {
      ++p;
      continue;
    }
    auto same = sameMergeKey(items[p], order[o], mergeKey);
    if (!same) return std::move(same).error();
    if (*same) ++p;
    ++o;
  }
  if (p < items.size() && o >= order.size()) {
    return otherError("The order in patch list:\n" + goFormat(patchList) + "\n doesn't match " +
                      std::string(kSetElementOrder) + " list:\n" + goFormat(order) + "\n");
  }
  return {};
}

Result<json::array> listAt(const json::object& o, std::string_view key, bool& found) {
  const json::value* v = o.if_contains(key);
  found = v != nullptr;
  if (!v) return json::array();
  if (!v->is_array()) return badArgType(kGoSlice, *v);
  return v->get_array();
}

// The merged list of one $setElementOrder directive, before ordering; nullopt
// when neither side has the list.
struct OrderedField {
  json::array original, patch;
  bool inOriginal = false, inPatch = false;
};

Result<std::optional<json::array>> mergedForOrder(const OrderedField& f, const FieldMeta& field) {
  if (!f.inOriginal && !f.inPatch) return std::optional<json::array>();
  if (!f.inPatch) return std::optional<json::array>(f.original);
  if (!f.inOriginal) return std::optional<json::array>(removeDirectives(f.patch)->get_array());
  auto merged = mergeSliceHandler(f.original, f.patch, field, false);
  if (!merged) return std::move(merged).error();
  return std::optional<json::array>(std::move(*merged));
}

// One $setElementOrder/<key> directive, already taken out of `patch`.
Result<void> orderList(json::object& original, json::object& patch, const json::value& directive,
                       std::string_view directiveKey, const TypeSchema& type) {
  if (!directive.is_array()) return badArgType(kGoSlice, directive);
  const json::array& order = directive.get_array();
  auto slash = directiveKey.find('/');
  if (slash == std::string_view::npos || directiveKey.substr(0, slash) != kSetElementOrder) {
    return badPatchFormatForSetElementOrder();
  }
  std::string key(directiveKey.substr(slash + 1));
  OrderedField f;
  auto originalList = listAt(original, key, f.inOriginal);
  if (!originalList) return std::move(originalList).error();
  auto patchList = listAt(patch, key, f.inPatch);
  if (!patchList) return std::move(patchList).error();
  f.original = std::move(*originalList);
  f.patch = std::move(*patchList);
  auto field = type.lookupSlice(key);
  if (!field) return std::move(field).error();
  if (auto r = checkOrderList(f.patch, order, field->mergeKey); !r) return r;
  auto merged = mergedForOrder(f, *field);
  if (!merged) return std::move(merged).error();
  if (!*merged) return {};
  auto parts = partitionItems(**merged, order, field->mergeKey);
  if (!parts) return std::move(parts).error();
  auto elements = elementType({&f.original, &f.patch});
  if (!elements) return std::move(elements).error();
  auto ordered = normalizeOrder(std::move(parts->first), std::move(parts->second), order, f.original,
                                field->mergeKey, *elements == kGoMap);
  if (!ordered) return std::move(ordered).error();
  original[key] = std::move(*ordered);
  patch.erase(key);
  return {};
}

}  // namespace

Result<json::array> mergeSliceHandler(json::array original, json::array patch, const FieldMeta& field,
                                      bool isDeleteList) {
  if (field.strategy == "merge" || isDeleteList) {
    return mergeSlice(std::move(original), std::move(patch), field, isDeleteList);
  }
  return patch;
}

Result<void> mergeOrderedLists(json::object& original, json::object& patch, const TypeSchema& type) {
  std::vector<std::string> keys;
  for (const auto& member : patch) {
    if (member.key().starts_with(kSetElementOrder)) keys.emplace_back(member.key());
  }
  for (const auto& key : keys) {
    json::value directive = std::move(patch.at(key));
    patch.erase(key);
    if (auto r = orderList(original, patch, directive, key, type); !r) return r;
  }
  return {};
}

}  // namespace kcpp::patch::smp
