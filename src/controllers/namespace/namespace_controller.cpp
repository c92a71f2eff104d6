#include "controllers/namespace/namespace_controller.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "api/meta/object.h"

namespace kcpp::controllers {

namespace asio = boost::asio;

namespace {

// Upstream's nsControllerRateLimiter: 5 ms doubling to 60 s per namespace,
// and 10 per second (burst 100) overall.
client::RateLimiterPtr namespaceRateLimiter() {
  return std::make_unique<client::MaxOfRateLimiter>(
      std::make_unique<client::ItemExponentialRateLimiter>(std::chrono::milliseconds(5),
                                                           std::chrono::seconds(60)),
      std::make_unique<client::BucketRateLimiter>(10, 100));
}

}  // namespace

NamespaceController::NamespaceController(client::RestClient& client,
                                         client::InformerFactory& informers,
                                         asio::any_io_executor executor,
                                         NamespaceControllerOptions options)
    : informers_(informers),
      namespaces_(informers.forResource("", "v1", "namespaces")),
      executor_(executor),
      options_(options),
      queue_(executor, namespaceRateLimiter()),
      deleter_(client) {
  client::EventHandlers handlers;
  handlers.onAdd = [this](const client::ObjectPtr& ns) { enqueue(*ns); };
  handlers.onUpdate = [this](const client::ObjectPtr&, const client::ObjectPtr& ns) { enqueue(*ns); };
  namespaces_.addHandlers(std::move(handlers));
}

void NamespaceController::enqueue(const json::object& ns) {
  if (!api::findPath(ns, "metadata.deletionTimestamp")) return;
  queue_.add(std::string(api::metaName(ns)));
}

void NamespaceController::stop() {
  queue_.shutDown();
  if (resyncTimer_) resyncTimer_->cancel();
}

asio::awaitable<Result<void>> NamespaceController::sync(const std::string& name) {
  auto start = std::chrono::steady_clock::now();
  auto estimate = co_await deleter_.deleteNamespace(name);
  spdlog::debug("namespace controller: finished syncing namespace {} ({} ms)", name,
                std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - start).count());
  if (!estimate) co_return std::move(estimate).error();
  if (*estimate > 0) {
    // Content remains (upstream's ResourcesRemainingError): look again later.
    auto delay = std::min<std::chrono::milliseconds>(std::chrono::seconds(*estimate / 2 + 1),
                                                     options_.maxRequeueDelay);
    spdlog::debug("namespace controller: content remaining in {}, checking again in {} ms", name,
                  delay.count());
    queue_.addAfter(name, delay);
  }
  co_return Result<void>{};
}

asio::awaitable<void> NamespaceController::resyncLoop() {
  resyncTimer_ = std::make_unique<asio::steady_timer>(executor_);
  while (!queue_.shuttingDown()) {
    resyncTimer_->expires_after(options_.resyncPeriod);
    boost::system::error_code ec;
    co_await resyncTimer_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (queue_.shuttingDown()) break;
    for (const client::ObjectPtr& ns : namespaces_.list()) enqueue(*ns);
  }
}

asio::awaitable<void> NamespaceController::run() {
  if (!co_await waitForCaches(informers_, executor_, "namespace")) co_return;
  asio::co_spawn(executor_, resyncLoop(), asio::detached);
  co_await runWorkers(queue_, options_.workers,
                      [this](const std::string& name) { return sync(name); }, "namespace");
}

}  // namespace kcpp::controllers
