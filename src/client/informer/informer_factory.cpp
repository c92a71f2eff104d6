#include "client/informer/informer_factory.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace kcpp::client {

namespace asio = boost::asio;

Informer& InformerFactory::forResource(const std::string& group, const std::string& version,
                                       const std::string& resource) {
  ResourcePath path{group, version, resource, "", "", "", ""};
  return forCollection(path);
}

Informer& InformerFactory::forCollection(const ResourcePath& collection) {
  std::string key = collection.target();
  auto it = informers_.find(key);
  if (it != informers_.end()) return *it->second;
  auto informer = std::make_unique<Informer>(client_, collection);
  informer->addIndexer("namespace", namespaceIndex());
  if (interner_) informer->setInterner(interner_);
  return *informers_.emplace(key, std::move(informer)).first->second;
}

void InformerFactory::start(asio::any_io_executor executor) {
  for (auto& [key, informer] : informers_) {
    if (started_[key]) continue;
    started_[key] = true;
    asio::co_spawn(executor, informer->run(), asio::detached);
  }
}

bool InformerFactory::hasSynced() const {
  for (const auto& [key, informer] : informers_) {
    if (!informer->hasSynced()) return false;
  }
  return true;
}

asio::awaitable<bool> InformerFactory::waitForSync(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (!hasSynced() && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(asio::use_awaitable);
  }
  co_return hasSynced();
}

void InformerFactory::stop() {
  for (auto& [key, informer] : informers_) informer->stop();
}

}  // namespace kcpp::client
