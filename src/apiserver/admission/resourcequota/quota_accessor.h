#pragma once
// QuotaAccessor: how the ResourceQuota plugin reads and charges quotas (upstream's
// quotaAccessor): a namespace's quotas, and a status write guarded by the quota's
// resourceVersion.

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "apiserver/registry/registry.h"
#include "util/error.h"

namespace kcpp::apiserver::admission {

class QuotaAccessor {
 public:
  virtual ~QuotaAccessor() = default;
  // The quotas as recently known (a stale one only costs a conflict on charging).
  virtual boost::asio::awaitable<Result<std::vector<json::object>>> list(const std::string& ns) = 0;
  // The quotas as stored now (after a conflict).
  virtual boost::asio::awaitable<Result<std::vector<json::object>>> listFresh(const std::string& ns) {
    co_return co_await list(ns);
  }
  // Replaces the quota's status; Conflict if its metadata.resourceVersion is
  // no longer current.
  virtual boost::asio::awaitable<Result<void>> updateStatus(json::object quota) = 0;
};
using QuotaAccessorPtr = std::unique_ptr<QuotaAccessor>;

// Through the resourcequotas Registry, as the server itself (not admitted).
// list() reads the watch cache, as upstream reads its informer, so a write into
// a namespace costs no store round trip; only when the cache holds no quota
// there does it ask the store, and keeps that answer (mostly "none") for 30 s
// per namespace, as upstream's live-lookup cache.
class RegistryQuotaAccessor : public QuotaAccessor {
 public:
  explicit RegistryQuotaAccessor(Registry& quotas) : quotas_(quotas) {}
  boost::asio::awaitable<Result<std::vector<json::object>>> list(const std::string& ns) override;
  boost::asio::awaitable<Result<std::vector<json::object>>> listFresh(const std::string& ns) override;
  boost::asio::awaitable<Result<void>> updateStatus(json::object quota) override;

 private:
  struct LiveLookup {
    std::vector<json::object> quotas;
    std::chrono::steady_clock::time_point expiry;
  };
  boost::asio::awaitable<Result<std::vector<json::object>>> read(const std::string& ns,
                                                                 storage::ListOptions options);

  Registry& quotas_;
  std::mutex mutex_;  // admission runs on every server thread
  std::map<std::string, LiveLookup> liveLookups_;
};

}  // namespace kcpp::apiserver::admission
