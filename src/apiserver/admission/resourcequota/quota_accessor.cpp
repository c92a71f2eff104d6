#include "apiserver/admission/resourcequota/quota_accessor.h"

#include "api/meta/object.h"

namespace kcpp::apiserver::admission {

namespace {

constexpr std::chrono::seconds kLiveLookupTtl{30};

}  // namespace

boost::asio::awaitable<Result<std::vector<json::object>>> RegistryQuotaAccessor::read(
    const std::string& ns, storage::ListOptions options) {
  auto listed = co_await quotas_.list(ns, std::move(options));
  if (!listed) co_return std::move(listed).error();
  std::vector<json::object> out;
  for (const auto& item : listed->items) {
    auto parsed = api::parseJson(*item.json);
    if (parsed && parsed->is_object()) out.push_back(std::move(parsed->get_object()));
  }
  co_return out;
}

boost::asio::awaitable<Result<std::vector<json::object>>> RegistryQuotaAccessor::list(
    const std::string& ns) {
  storage::ListOptions cached;  // resourceVersion "0": whatever the cache holds
  cached.match = storage::RevisionMatch::NotOlderThan;
  auto held = co_await read(ns, std::move(cached));
  if (!held || !held->empty()) co_return held;
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    auto it = liveLookups_.find(ns);
    if (it != liveLookups_.end() && now < it->second.expiry) co_return it->second.quotas;
  }
  auto live = co_await listFresh(ns);
  if (!live) co_return live;
  std::lock_guard lock(mutex_);
  std::erase_if(liveLookups_, [now](const auto& kv) { return kv.second.expiry <= now; });
  liveLookups_[ns] = LiveLookup{*live, now + kLiveLookupTtl};
  co_return live;
}

boost::asio::awaitable<Result<std::vector<json::object>>> RegistryQuotaAccessor::listFresh(
    const std::string& ns) {
  storage::ListOptions consistent;  // no resourceVersion: a consistent read
  co_return co_await read(ns, std::move(consistent));
}

boost::asio::awaitable<Result<void>> RegistryQuotaAccessor::updateStatus(json::object quota) {
  std::string ns(api::metaNamespace(quota)), name(api::metaName(quota));
  if (api::metaResourceVersion(quota).empty()) {
    co_return makeError(Reason::InternalError, "a quota charge needs a resourceVersion");
  }
  WriteOptions asServer;  // no user: the quota's own update is not admitted
  auto written =
      co_await quotas_.update(ns, name, std::move(quota), Subresource::Status, asServer);
  if (!written) co_return std::move(written).error();
  co_return Result<void>{};
}

}  // namespace kcpp::apiserver::admission
