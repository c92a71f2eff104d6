#include "apiserver/registry/services/service_strategy.h"

#include "api/meta/object.h"
#include "apiserver/registry/registry.h"
#include "apiserver/registry/services/service_defaults.h"
#include "apiserver/registry/services/service_validation.h"

namespace kcpp::apiserver {

ServiceStrategy::ServiceStrategy(const std::string& serviceCidr, const std::string& nodePortRange) {
  auto ips = ServiceIpAllocator::create(serviceCidr);
  auto ports = NodePortAllocator::create(nodePortRange);
  if (!ips) {
    configError_ = std::move(ips).error();
  } else if (!ports) {
    configError_ = std::move(ports).error();
  } else {
    allocations_ = std::make_unique<ServiceAllocations>(std::move(*ips), std::move(*ports));
  }
}

Error ServiceStrategy::notConfigured() const {
  return makeError(Reason::InternalError, "service allocators are not configured: " +
                                              (configError_ ? configError_->message : ""));
}

void ServiceStrategy::prepareForCreate(json::object& obj) const {
  service::prepareServiceCreate(obj);
}

void ServiceStrategy::prepareForUpdate(json::object& obj, const json::object& old) const {
  service::prepareServiceUpdate(obj, old);
}

std::vector<Cause> ServiceStrategy::validate(const json::object& obj) const {
  return service::validateService(obj);
}

std::vector<Cause> ServiceStrategy::validateUpdate(const json::object& obj,
                                                   const json::object& old) const {
  return service::validateServiceUpdate(obj, old);
}

boost::asio::awaitable<Result<void>> ServiceStrategy::allocate(json::object& obj) {
  if (!allocations_) co_return notConfigured();
  co_return allocations_->allocateCreate(obj);
}

void ServiceStrategy::release(const json::object& obj) {
  if (allocations_) allocations_->release(obj, nullptr);
}

boost::asio::awaitable<Result<void>> ServiceStrategy::allocateUpdate(json::object& obj,
                                                                     const json::object& old) {
  if (!allocations_) co_return notConfigured();
  co_return allocations_->allocateUpdate(obj, old);
}

void ServiceStrategy::finishUpdate(const json::object& obj, const json::object& old, bool written) {
  if (!allocations_) return;
  // Written: free what only the old object held. Not written: undo allocateUpdate.
  if (written)
    allocations_->release(old, &obj);
  else
    allocations_->release(obj, &old);
}

boost::asio::awaitable<Result<void>> ServiceStrategy::start(Registry& registry) {
  if (configError_) co_return *configError_;
  storage::ListOptions options;  // named: GCC 12 mishandles `{}` temporaries in co_await
  auto listed = co_await registry.list("", options);
  if (!listed) co_return std::move(listed).error();
  for (const auto& item : listed->items) {
    auto parsed = api::parseJson(*item.json);
    if (parsed && parsed->is_object()) allocations_->restore(parsed->get_object());
  }
  co_return Result<void>{};
}

}  // namespace kcpp::apiserver
