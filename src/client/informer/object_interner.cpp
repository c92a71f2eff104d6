#include "client/informer/object_interner.h"

namespace kcpp::client {

namespace json = boost::json;

namespace {

const json::string* metadataString(const json::object& obj, std::string_view field) {
  const json::value* metadata = obj.if_contains("metadata");
  if (!metadata || !metadata->is_object()) return nullptr;
  const json::value* v = metadata->get_object().if_contains(field);
  return v && v->is_string() ? &v->get_string() : nullptr;
}

// The version's identity. A list's items come without kind and apiVersion while
// a watch event's object has them: the two are different copies.
std::string versionKey(const json::object& obj) {
  const json::string* uid = metadataString(obj, "uid");
  const json::string* rv = metadataString(obj, "resourceVersion");
  if (!uid || !rv || uid->empty() || rv->empty()) return "";
  std::string key(uid->data(), uid->size());
  key += '/';
  key.append(rv->data(), rv->size());
  if (obj.contains("kind")) key += "/k";
  return key;
}

}  // namespace

ObjectInterner::ObjectPtr ObjectInterner::intern(ObjectPtr obj) {
  std::string key = versionKey(*obj);
  if (key.empty()) return obj;
  std::lock_guard lock(mutex_);
  auto [it, inserted] = versions_.try_emplace(std::move(key), obj);
  if (!inserted) {
    if (ObjectPtr held = it->second.lock()) return held;
    it->second = obj;
  }
  // Released versions are swept once as many inserts happened as there are
  // entries: amortised O(1), and the map stays within twice the live versions.
  if (++insertsSinceSweep_ > versions_.size() / 2 + 1024) sweep();
  return obj;
}

std::size_t ObjectInterner::size() const {
  std::lock_guard lock(mutex_);
  return versions_.size();
}

void ObjectInterner::sweep() {
  std::erase_if(versions_, [](const auto& entry) { return entry.second.expired(); });
  insertsSinceSweep_ = 0;
}

}  // namespace kcpp::client
