#include "controllers/history/controller_history.h"

#include <algorithm>

#include "api/meta/object.h"
#include "controllers/common/controller_utils.h"

namespace kcpp::controllers::history {

namespace asio = boost::asio;

namespace {

constexpr std::string_view kSafeAlphabet = "bcdfghjklmnpqrstvwxz2456789";

std::string str(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

client::ResourcePath revisionPath(const std::string& ns, const std::string& name = "") {
  return client::ResourcePath{"apps", "v1", "controllerrevisions", ns, name, "", ""};
}

}  // namespace

std::string safeEncode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) out.push_back(kSafeAlphabet[c % kSafeAlphabet.size()]);
  return out;
}

std::string hashBytes(std::string_view bytes, std::optional<std::int64_t> collisionCount) {
  std::uint32_t h = 2166136261u;
  auto feed = [&h](std::string_view data) {
    for (unsigned char c : data) {
      h ^= c;
      h *= 16777619u;
    }
  };
  feed(bytes);
  if (collisionCount) feed(std::to_string(*collisionCount));
  return safeEncode(std::to_string(h));
}

json::value canonical(const json::value& v) {
  if (v.is_array()) {
    json::array out;
    for (const auto& e : v.get_array()) out.push_back(canonical(e));
    return out;
  }
  if (!v.is_object()) return v;
  std::vector<std::string> keys;
  for (const auto& kv : v.get_object()) keys.emplace_back(kv.key());
  std::sort(keys.begin(), keys.end());
  json::object out;
  for (const std::string& k : keys) out[k] = canonical(v.get_object().at(k));
  return out;
}

json::object templatePatch(const json::object& owner) {
  json::object templ;
  if (const json::value* t = api::findPath(owner, "spec.template"); t && t->is_object()) {
    templ = t->get_object();
  }
  templ["$patch"] = "replace";
  json::object patch{{"spec", json::object{{"template", std::move(templ)}}}};
  return canonical(patch).as_object();
}

json::object templateFromRevision(const json::object& revision) {
  const json::value* t = api::findPath(revision, "data.spec.template");
  json::object templ = t && t->is_object() ? t->get_object() : json::object();
  templ.erase("$patch");
  return templ;
}

std::string revisionName(const std::string& prefix, const std::string& hash) {
  return (prefix.size() > 223 ? prefix.substr(0, 223) : prefix) + "-" + hash;
}

json::object newRevision(const json::object& owner, const std::string& ownerApiVersion,
                         const std::string& ownerKind, const std::string& name,
                         const std::map<std::string, std::string>& labels, json::object data,
                         std::int64_t revision) {
  json::object meta{{"name", name}, {"namespace", str(owner, "metadata.namespace")}};
  json::object labelObj;
  for (const auto& [k, v] : labels) labelObj[k] = v;
  meta["labels"] = std::move(labelObj);
  // Upstream copies the owner's annotations (kubernetes.io/change-cause is what
  // `kubectl rollout history` shows).
  if (const json::value* a = api::findPath(owner, "metadata.annotations"); a && a->is_object()) {
    meta["annotations"] = *a;
  }
  meta["ownerReferences"] = json::array{makeControllerRef(owner, ownerApiVersion, ownerKind)};
  return json::object{{"apiVersion", "apps/v1"},
                      {"kind", "ControllerRevision"},
                      {"metadata", std::move(meta)},
                      {"data", std::move(data)},
                      {"revision", revision}};
}

std::int64_t revisionNumber(const json::object& revision) {
  const json::value* v = revision.if_contains("revision");
  return v && v->is_int64() ? v->get_int64() : 0;
}

bool equalRevisions(const json::object& a, const json::object& b) {
  const json::value* da = a.if_contains("data");
  const json::value* db = b.if_contains("data");
  if (!da || !db) return da == db;
  return canonical(*da) == canonical(*db);
}

std::vector<ObjectPtr> ownedRevisions(const client::Informer& revisions, const json::object& owner) {
  std::string uid = str(owner, "metadata.uid");
  std::vector<ObjectPtr> out;
  for (const ObjectPtr& r : revisions.byIndex("namespace", str(owner, "metadata.namespace"))) {
    auto ref = controllerRef(*r);
    if (ref && ref->uid == uid) out.push_back(r);
  }
  std::sort(out.begin(), out.end(), [](const ObjectPtr& a, const ObjectPtr& b) {
    if (revisionNumber(*a) != revisionNumber(*b)) return revisionNumber(*a) < revisionNumber(*b);
    return str(*a, "metadata.name") < str(*b, "metadata.name");
  });
  return out;
}

std::int64_t nextRevisionNumber(const std::vector<ObjectPtr>& revisions) {
  std::int64_t most = 0;
  for (const ObjectPtr& r : revisions) most = std::max(most, revisionNumber(*r));
  return most + 1;
}

asio::awaitable<Result<json::object>> createRevision(
    client::RestClient& client, json::object revision, std::int64_t& collisionCount,
    const std::function<std::string(std::int64_t)>& rename) {
  const std::string ns = str(revision, "metadata.namespace");
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto created = co_await client.create(revisionPath(ns), revision);
    if (created || created.error().reason != Reason::AlreadyExists) co_return created;
    auto existing = co_await client.get(revisionPath(ns, str(revision, "metadata.name")));
    if (!existing) co_return std::move(existing).error();
    auto existingRef = controllerRef(*existing);
    auto wantedRef = controllerRef(revision);
    bool sameOwner = existingRef && wantedRef && existingRef->uid == wantedRef->uid;
    if (sameOwner && equalRevisions(*existing, revision)) co_return existing;
    ++collisionCount;
    std::string name = rename(collisionCount);
    revision["metadata"].as_object()["name"] = name;
    revision["metadata"].as_object()["labels"].as_object()[kRevisionHashLabel] =
        name.substr(name.rfind('-') + 1);
  }
  co_return makeError(Reason::InternalError, "too many ControllerRevision hash collisions");
}

asio::awaitable<Result<json::object>> updateRevisionNumber(client::RestClient& client,
                                                           const json::object& revision,
                                                           std::int64_t number) {
  json::object next = revision;
  next["revision"] = number;
  auto path = revisionPath(str(revision, "metadata.namespace"), str(revision, "metadata.name"));
  co_return co_await client.update(path, next);
}

asio::awaitable<Result<void>> deleteRevision(client::RestClient& client, const json::object& revision) {
  auto path = revisionPath(str(revision, "metadata.namespace"), str(revision, "metadata.name"));
  const json::object noOptions;
  auto deleted = co_await client.remove(path, noOptions);
  if (!deleted && deleted.error().reason != Reason::NotFound) co_return std::move(deleted).error();
  co_return Result<void>{};
}

std::int64_t historyLimit(const json::object& owner) {
  const json::value* v = api::findPath(owner, "spec.revisionHistoryLimit");
  return v && v->is_int64() ? v->get_int64() : 10;
}

std::vector<ObjectPtr> revisionsToTrim(const std::vector<ObjectPtr>& revisions,
                                       const std::vector<std::string>& live, std::int64_t limit) {
  std::vector<ObjectPtr> notLive;
  for (const ObjectPtr& r : revisions) {  // oldest first
    if (std::find(live.begin(), live.end(), str(*r, "metadata.name")) == live.end()) notLive.push_back(r);
  }
  std::int64_t excess = static_cast<std::int64_t>(notLive.size()) - std::max<std::int64_t>(limit, 0);
  if (excess <= 0) return {};
  notLive.resize(static_cast<std::size_t>(excess));
  return notLive;
}

}  // namespace kcpp::controllers::history
