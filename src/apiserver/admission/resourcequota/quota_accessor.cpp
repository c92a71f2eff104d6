#include "apiserver/admission/resourcequota/quota_accessor.h"

#include "api/meta/object.h"

namespace kcpp::apiserver::admission {

boost::asio::awaitable<Result<std::vector<json::object>>> RegistryQuotaAccessor::list(
    const std::string& ns) {
  storage::ListOptions everything;  // no resourceVersion: a consistent read
  auto listed = co_await quotas_.list(ns, std::move(everything));
  if (!listed) co_return std::move(listed).error();
  std::vector<json::object> out;
  for (const auto& item : listed->items) {
    auto parsed = api::parseJson(*item.json);
    if (parsed && parsed->is_object()) out.push_back(std::move(parsed->get_object()));
  }
  co_return out;
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
