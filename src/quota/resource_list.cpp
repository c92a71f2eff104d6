#include "quota/resource_list.h"

namespace kcpp::quota {

ResourceList parseResourceList(const json::value* list) {
  ResourceList out;
  if (!list || !list->is_object()) return out;
  for (const auto& kv : list->get_object()) {
    if (auto q = Quantity::fromJson(kv.value())) out.emplace(std::string(kv.key()), *q);
  }
  return out;
}

json::object toJson(const ResourceList& list) {
  json::object out;
  for (const auto& [name, q] : list) out[name] = q.string();
  return out;
}

ResourceNames names(const ResourceList& list) {
  ResourceNames out;
  for (const auto& kv : list) out.insert(kv.first);
  return out;
}

ResourceList add(const ResourceList& a, const ResourceList& b) {
  ResourceList out = a;
  for (const auto& [name, q] : b) {
    auto [it, inserted] = out.emplace(name, q);
    if (!inserted) it->second += q;
  }
  return out;
}

ResourceList subtractWithNonNegativeResult(const ResourceList& a, const ResourceList& b) {
  ResourceList out;
  for (const auto& [name, q] : a) {
    Quantity diff = q;
    if (auto it = b.find(name); it != b.end()) diff -= it->second;
    out[name] = diff.sign() > 0 ? diff : Quantity();
  }
  for (const auto& kv : b) out.emplace(kv.first, Quantity());
  return out;
}

ResourceList mask(const ResourceList& list, const ResourceNames& keep) {
  ResourceList out;
  for (const auto& [name, q] : list) {
    if (keep.count(name)) out.emplace(name, q);
  }
  return out;
}

ResourceList removeZeros(const ResourceList& list) {
  ResourceList out;
  for (const auto& [name, q] : list) {
    if (!q.isZero()) out.emplace(name, q);
  }
  return out;
}

bool equals(const ResourceList& a, const ResourceList& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [name, q] : a) {
    auto it = b.find(name);
    if (it == b.end() || !(it->second == q)) return false;
  }
  return true;
}

ResourceNames exceeded(const ResourceList& a, const ResourceList& b) {
  ResourceNames out;
  for (const auto& [name, limit] : b) {
    auto it = a.find(name);
    if (it != a.end() && it->second > limit) out.insert(name);
  }
  return out;
}

ResourceNames negatives(const ResourceList& list) {
  ResourceNames out;
  for (const auto& [name, q] : list) {
    if (q.sign() < 0) out.insert(name);
  }
  return out;
}

std::string prettyPrint(const ResourceList& list) {
  std::string out;
  for (const auto& [name, q] : list) {
    if (!out.empty()) out += ",";
    out += name + "=" + q.string();
  }
  return out;
}

std::string prettyPrintNames(const ResourceNames& names) {
  std::string out;
  for (const auto& name : names) {
    if (!out.empty()) out += ",";
    out += name;
  }
  return out;
}

}  // namespace kcpp::quota
