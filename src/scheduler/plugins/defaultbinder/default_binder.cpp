#include "scheduler/plugins/defaultbinder/default_binder.h"

namespace kcpp::scheduler::plugins {

boost::asio::awaitable<Status> DefaultBinder::bind(PodInfoPtr pod, std::string node) {
  co_return co_await handle_.bindPod(*pod, node);
}

}  // namespace kcpp::scheduler::plugins
