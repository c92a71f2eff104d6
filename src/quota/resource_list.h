#pragma once
// corev1.ResourceList arithmetic as upstream's quota helpers (quota/v1/resources.go):
// sums, masks and comparisons of named quantities, and the messages' formatting.

#include <boost/json.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "api/validation/quantity.h"

namespace kcpp::quota {

namespace json = boost::json;
using Quantity = api::validation::Quantity;
// Sorted by name, as upstream sorts them in messages.
using ResourceList = std::map<std::string, Quantity>;
using ResourceNames = std::set<std::string>;

// A ResourceList field (spec.hard, status.used, resources.requests); values
// that are not quantities are left out (validation rejects them on write).
ResourceList parseResourceList(const json::value* list);
// The wire form: each quantity in its canonical string.
json::object toJson(const ResourceList& list);

ResourceNames names(const ResourceList& list);
// a + b, key by key (a key in one only is copied).
ResourceList add(const ResourceList& a, const ResourceList& b);
// a - b, key by key, negative results as zero; keys only in b are zero.
ResourceList subtractWithNonNegativeResult(const ResourceList& a, const ResourceList& b);
// Only the entries named in `keep`.
ResourceList mask(const ResourceList& list, const ResourceNames& keep);
ResourceList removeZeros(const ResourceList& list);
bool equals(const ResourceList& a, const ResourceList& b);
// LessThanOrEqual: the names in both where a's value exceeds b's.
ResourceNames exceeded(const ResourceList& a, const ResourceList& b);
ResourceNames negatives(const ResourceList& list);

// "pods=1,requests.cpu=500m": name=value, sorted, comma separated.
std::string prettyPrint(const ResourceList& list);
// "limits.cpu,pods": sorted, comma separated.
std::string prettyPrintNames(const ResourceNames& names);

}  // namespace kcpp::quota
