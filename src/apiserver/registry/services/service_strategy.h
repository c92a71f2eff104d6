#pragma once
// Services (upstream pkg/registry/core/service): v1 defaults, validation with
// upstream's messages, cluster IPs from --service-cidr and node ports from
// --service-node-port-range (ServiceAllocations), kept across updates, freed on
// delete and when a write fails.

#include <optional>
#include <string>

#include "apiserver/registry/services/service_allocations.h"
#include "apiserver/registry/strategy.h"

namespace kcpp::apiserver {

class ServiceStrategy : public Strategy {
 public:
  // A bad CIDR or port range is reported by start().
  ServiceStrategy(const std::string& serviceCidr, const std::string& nodePortRange);

  void prepareForCreate(json::object& obj) const override;
  void prepareForUpdate(json::object& obj, const json::object& old) const override;
  std::vector<Cause> validate(const json::object& obj) const override;
  std::vector<Cause> validateUpdate(const json::object& obj,
                                    const json::object& old) const override;
  boost::asio::awaitable<Result<void>> allocate(json::object& obj) override;
  void release(const json::object& obj) override;
  boost::asio::awaitable<Result<void>> allocateUpdate(json::object& obj,
                                                      const json::object& old) override;
  void finishUpdate(const json::object& obj, const json::object& old, bool written) override;
  // Rebuilds the allocation state from the stored Services.
  boost::asio::awaitable<Result<void>> start(Registry& registry) override;
  bool allowCreateOnUpdate() const override { return true; }

  // Null until configured (a bad flag leaves it null); for tests.
  const ServiceAllocations* allocations() const { return allocations_.get(); }

 private:
  Error notConfigured() const;

  ServiceAllocationsPtr allocations_;
  std::optional<Error> configError_;
};

}  // namespace kcpp::apiserver
