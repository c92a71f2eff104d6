#pragma once
// ControllerRevisions as upstream's pkg/controller/history: a workload's pod
// template is snapshotted into an apps/v1 ControllerRevision whose `data` is the
// strategic merge patch that restores it ({"spec":{"template":{...,"$patch":
// "replace"}}}, the form `kubectl rollout undo` applies), named
// "<owner>-<hash>" where the hash covers the data and the owner's
// status.collisionCount. Revisions carry increasing `revision` numbers; the
// oldest ones no longer used are deleted past spec.revisionHistoryLimit.

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "client/informer/informer.h"
#include "client/rest/rest_client.h"
#include "util/error.h"

namespace kcpp::controllers::history {

namespace json = boost::json;
using client::ObjectPtr;

// The label naming the revision a pod was made from (DaemonSet: the hash;
// StatefulSet: the revision name).
inline constexpr const char* kRevisionHashLabel = "controller-revision-hash";

// rand.SafeEncodeString: each byte mapped onto consonants and digits, so a hash
// never spells words and is a valid label value.
std::string safeEncode(std::string_view s);
// FNV-32a over `bytes` (then the collision count's decimal digits, if any),
// safe-encoded: upstream's HashControllerRevision.
std::string hashBytes(std::string_view bytes, std::optional<std::int64_t> collisionCount);
// The value with every object's keys sorted, as Go's encoding/json writes maps.
json::value canonical(const json::value& v);
// The revision data of an owner: its spec.template as a replacing patch.
json::object templatePatch(const json::object& owner);
// The pod template a revision's data restores.
json::object templateFromRevision(const json::object& revision);
// Upstream's ControllerRevisionName: the prefix cut to 223 characters.
std::string revisionName(const std::string& prefix, const std::string& hash);

// A new (unsaved) ControllerRevision owned (controller reference) by `owner`.
json::object newRevision(const json::object& owner, const std::string& ownerApiVersion,
                         const std::string& ownerKind, const std::string& name,
                         const std::map<std::string, std::string>& labels, json::object data,
                         std::int64_t revision);

std::int64_t revisionNumber(const json::object& revision);
// Same data (what upstream's EqualRevision compares, by hash label then bytes).
bool equalRevisions(const json::object& a, const json::object& b);
// The revisions in the owner's namespace controlled by it, oldest first
// (by revision number, then name).
std::vector<ObjectPtr> ownedRevisions(const client::Informer& revisions, const json::object& owner);
// One more than the highest revision number (1 when there is none).
std::int64_t nextRevisionNumber(const std::vector<ObjectPtr>& revisions);

// Creates `revision`; a name taken by a revision with other data is a hash
// collision: `collisionCount` is bumped and the name recomputed with `rename`
// until one is free or holds the same data (which is then returned).
boost::asio::awaitable<Result<json::object>> createRevision(
    client::RestClient& client, json::object revision, std::int64_t& collisionCount,
    const std::function<std::string(std::int64_t collisionCount)>& rename);
// Sets a revision's number (a rollback re-uses an old revision as the newest).
boost::asio::awaitable<Result<json::object>> updateRevisionNumber(client::RestClient& client,
                                                                  const json::object& revision,
                                                                  std::int64_t number);
boost::asio::awaitable<Result<void>> deleteRevision(client::RestClient& client,
                                                    const json::object& revision);

// spec.revisionHistoryLimit (default 10).
std::int64_t historyLimit(const json::object& owner);
// The oldest revisions to delete: those not in `live` (names in use), beyond
// the limit of kept non-live ones.
std::vector<ObjectPtr> revisionsToTrim(const std::vector<ObjectPtr>& revisions,
                                       const std::vector<std::string>& live, std::int64_t limit);

}  // namespace kcpp::controllers::history
