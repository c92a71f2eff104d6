#pragma once
// DefaultBinder: POSTs a Binding (pods/NAME/binding) through the scheduler's client.
#include "scheduler/framework/interface.h"

namespace kcpp::scheduler::plugins {

class DefaultBinder final : public BindPlugin {
 public:
  static constexpr const char* kName = "DefaultBinder";
  explicit DefaultBinder(Handle& handle) : handle_(handle) {}
  std::string_view name() const override { return kName; }
  boost::asio::awaitable<Status> bind(PodInfoPtr pod, std::string node) override;

 private:
  Handle& handle_;
};

}  // namespace kcpp::scheduler::plugins
