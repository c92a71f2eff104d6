#pragma once
// QuotaAccessor: how the ResourceQuota plugin reads and charges quotas (upstream's
// quotaAccessor): a consistent list of a namespace's quotas, and a status write
// guarded by the quota's resourceVersion.

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "apiserver/registry/registry.h"
#include "util/error.h"

namespace kcpp::apiserver::admission {

class QuotaAccessor {
 public:
  virtual ~QuotaAccessor() = default;
  virtual boost::asio::awaitable<Result<std::vector<json::object>>> list(const std::string& ns) = 0;
  // Replaces the quota's status; Conflict if its metadata.resourceVersion is
  // no longer current.
  virtual boost::asio::awaitable<Result<void>> updateStatus(json::object quota) = 0;
};
using QuotaAccessorPtr = std::unique_ptr<QuotaAccessor>;

// Through the resourcequotas Registry, as the server itself (not admitted).
class RegistryQuotaAccessor : public QuotaAccessor {
 public:
  explicit RegistryQuotaAccessor(Registry& quotas) : quotas_(quotas) {}
  boost::asio::awaitable<Result<std::vector<json::object>>> list(const std::string& ns) override;
  boost::asio::awaitable<Result<void>> updateStatus(json::object quota) override;

 private:
  Registry& quotas_;
};

}  // namespace kcpp::apiserver::admission
