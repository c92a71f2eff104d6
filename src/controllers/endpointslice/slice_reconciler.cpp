#include "controllers/endpointslice/slice_reconciler.h"

#include <algorithm>
#include <map>
#include <set>

#include "api/meta/object.h"
#include "controllers/common/controller_utils.h"
#include "controllers/endpointutil/pod_endpoints.h"

namespace kcpp::controllers::endpointslice {

using endpointutil::stringAt;

namespace {

const json::array& arrayField(const json::object& obj, std::string_view key) {
  static const json::array empty;
  const json::value* v = obj.if_contains(key);
  return v && v->is_array() ? v->get_array() : empty;
}

std::size_t endpointCount(const json::object& slice) { return arrayField(slice, "endpoints").size(); }

// Desired endpoints not yet placed, handed out in key order.
class EndpointPool {
 public:
  explicit EndpointPool(std::vector<DesiredEndpoint> endpoints) {
    for (DesiredEndpoint& e : endpoints) byKey_.emplace(std::move(e.key), std::move(e.endpoint));
  }
  std::size_t size() const { return byKey_.size(); }
  // Takes the endpoint with this key, if desired.
  std::optional<json::object> take(const std::string& key) {
    auto it = byKey_.find(key);
    if (it == byKey_.end()) return std::nullopt;
    json::object out = std::move(it->second);
    byKey_.erase(it);
    return out;
  }
  void fill(json::object& slice, std::size_t max) {
    json::value& endpoints = slice["endpoints"];
    if (!endpoints.is_array()) endpoints = json::array();
    json::array& list = endpoints.get_array();
    while (!byKey_.empty() && list.size() < max) {
      list.push_back(std::move(byKey_.begin()->second));
      byKey_.erase(byKey_.begin());
    }
  }

 private:
  std::map<std::string, json::object> byKey_;
};

bool labelsEqual(const json::object& slice, const json::object& labels) {
  const json::value* current = api::findPath(slice, "metadata.labels");
  return current && current->is_object() && current->get_object() == labels;
}

// Step 1 for one slice: what it keeps; nullopt when it is unchanged.
struct SliceUpdate {
  json::object slice;
  bool empty = false;
};

std::optional<SliceUpdate> refreshSlice(const json::object& existing, EndpointPool& pool,
                                        const json::object& labels) {
  json::array kept;
  bool endpointChanged = false;
  const json::array& endpoints = arrayField(existing, "endpoints");
  for (const json::value& e : endpoints) {
    if (!e.is_object()) continue;
    auto desired = pool.take(endpointKey(e.get_object()));
    if (!desired) continue;
    if (*desired != e.get_object()) endpointChanged = true;
    kept.push_back(std::move(*desired));
  }
  bool removed = kept.size() != endpoints.size();
  if (!endpointChanged && !removed && labelsEqual(existing, labels)) return std::nullopt;
  SliceUpdate update{existing, kept.empty() && (endpointChanged || removed)};
  update.slice["endpoints"] = std::move(kept);
  api::ensureObject(update.slice, "metadata")["labels"] = labels;
  return update;
}

struct GroupChanges {
  std::vector<json::object> toCreate, toUpdate, toDelete;
};

GroupChanges reconcilePortGroup(const json::object& service, const std::string& addressType,
                                const std::vector<SlicePtr>& existing, PortGroup desired,
                                std::size_t max, std::string_view controllerName) {
  GroupChanges out;
  json::object labels = sliceLabels(service, controllerName);
  EndpointPool pool(std::move(desired.endpoints));
  std::vector<json::object> updating;
  std::vector<const json::object*> unchanged;
  for (const SlicePtr& slice : existing) {
    auto update = refreshSlice(*slice, pool, labels);
    if (!update) {
      unchanged.push_back(slice.get());
    } else if (update->empty) {
      out.toDelete.push_back(*slice);
    } else {
      updating.push_back(std::move(update->slice));
    }
  }
  // 2. Fill the slices being written anyway, fullest first.
  std::stable_sort(updating.begin(), updating.end(), [](const json::object& a, const json::object& b) {
    return endpointCount(a) > endpointCount(b);
  });
  for (json::object& slice : updating) pool.fill(slice, max);
  // 3. The rest: the unchanged slice a small remainder fills closest to full,
  // else new slices.
  while (pool.size() > 0) {
    const json::object* closest = nullptr;
    if (pool.size() < max) {
      std::size_t closestRoom = max;
      for (const json::object* slice : unchanged) {
        std::size_t count = endpointCount(*slice);
        if (count + pool.size() > max) continue;
        std::size_t room = max - count - pool.size();
        if (room < closestRoom) {
          closestRoom = room;
          closest = slice;
        }
      }
    }
    if (closest) {
      json::object slice = *closest;
      unchanged.erase(std::find(unchanged.begin(), unchanged.end(), closest));
      pool.fill(slice, max);
      updating.push_back(std::move(slice));
      continue;
    }
    json::object slice = newSlice(service, addressType, desired.ports, controllerName);
    pool.fill(slice, max);
    out.toCreate.push_back(std::move(slice));
  }
  out.toUpdate = std::move(updating);
  return out;
}

bool isPlaceholderOf(const json::object& slice, const json::object& placeholder) {
  return endpointCount(slice) == 0 && arrayField(slice, "ports").empty() &&
         api::getString(slice, "addressType") == api::getString(placeholder, "addressType") &&
         labelsEqual(slice, placeholder.at("metadata").as_object().at("labels").as_object());
}

}  // namespace

bool ownedBy(const json::object& slice, const json::object& service) {
  const json::value* refs = api::findPath(slice, "metadata.ownerReferences");
  if (!refs || !refs->is_array()) return false;
  std::string uid = stringAt(service, "metadata.uid");
  for (const json::value& r : refs->get_array()) {
    if (!r.is_object()) continue;
    const json::object& ref = r.get_object();
    if (api::getString(ref, "uid") == uid && api::getString(ref, "kind") == "Service" &&
        api::getString(ref, "apiVersion") == "v1") {
      return true;
    }
  }
  return false;
}

json::object newSlice(const json::object& service, const std::string& addressType, json::array ports,
                      std::string_view controllerName) {
  json::object slice{{"apiVersion", "discovery.k8s.io/v1"}, {"kind", "EndpointSlice"}};
  json::object meta;
  // "<service>-" unless the dash would make the prefix an invalid name.
  std::string prefix = std::string(api::metaName(service)) + "-";
  if (prefix.size() > 253) prefix = api::metaName(service);
  meta["generateName"] = prefix;
  meta["namespace"] = api::metaNamespace(service);
  meta["labels"] = sliceLabels(service, controllerName);
  meta["ownerReferences"] = json::array{makeControllerRef(service, "v1", "Service")};
  slice["metadata"] = std::move(meta);
  slice["addressType"] = addressType;
  slice["endpoints"] = json::array();
  slice["ports"] = std::move(ports);
  return slice;
}

SliceChanges reconcileAddressType(const json::object& service, const std::string& addressType,
                                  PortGroups desired, const std::vector<SlicePtr>& existing,
                                  std::size_t max, std::string_view controllerName) {
  SliceChanges changes;
  std::map<std::string, std::vector<SlicePtr>> existingByPorts;
  for (const SlicePtr& slice : existing) {
    if (ownedBy(*slice, service)) {
      existingByPorts[portMapKey(arrayField(*slice, "ports"))].push_back(slice);
    } else {
      changes.toDelete.push_back(*slice);  // left by an older Service of the same name
    }
  }
  for (auto& [key, group] : desired) {
    static const std::vector<SlicePtr> none;
    auto it = existingByPorts.find(key);
    GroupChanges g = reconcilePortGroup(service, addressType, it == existingByPorts.end() ? none : it->second,
                                        std::move(group), max, controllerName);
    for (auto& s : g.toCreate) changes.toCreate.push_back(std::move(s));
    for (auto& s : g.toUpdate) changes.toUpdate.push_back(std::move(s));
    for (auto& s : g.toDelete) changes.toDelete.push_back(std::move(s));
  }
  for (const auto& [key, slices] : existingByPorts) {
    if (desired.contains(key)) continue;
    for (const SlicePtr& s : slices) changes.toDelete.push_back(*s);  // a port list no pod offers now
  }
  // 4. No endpoints at all: one empty placeholder slice.
  if (existing.size() == changes.toDelete.size() && changes.toCreate.empty()) {
    json::object placeholder = newSlice(service, addressType, json::array(), controllerName);
    if (changes.toDelete.size() == 1 && ownedBy(changes.toDelete[0], service) &&
        isPlaceholderOf(changes.toDelete[0], placeholder)) {
      changes.toDelete.clear();  // it is there already
    } else {
      changes.toCreate.push_back(std::move(placeholder));
    }
  }
  // 5. Reuse slices about to be deleted for slices about to be created.
  for (auto it = changes.toDelete.begin(); it != changes.toDelete.end() && !changes.toCreate.empty();) {
    if (!ownedBy(*it, service) || api::getString(*it, "addressType") != addressType) {
      ++it;
      continue;
    }
    json::object reused = std::move(changes.toCreate.back());
    changes.toCreate.pop_back();
    json::object& meta = api::ensureObject(reused, "metadata");
    meta.erase("generateName");
    const json::object& old = it->at("metadata").as_object();
    meta["name"] = old.at("name");
    if (const json::value* rv = old.if_contains("resourceVersion")) meta["resourceVersion"] = *rv;
    if (const json::value* uid = old.if_contains("uid")) meta["uid"] = *uid;
    changes.toUpdate.push_back(std::move(reused));
    it = changes.toDelete.erase(it);
  }
  return changes;
}

}  // namespace kcpp::controllers::endpointslice
