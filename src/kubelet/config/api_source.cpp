#include "kubelet/config/api_source.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>

#include <cctype>

#include "kubelet/config/pod_config.h"
#include "util/percent_encode.h"
#include "util/sleep.h"

namespace kcpp::kubelet::config {

ApiSource::ApiSource(client::RestClient& client, const std::string& nodeName, Handler pods, Handler mirrorPods)
    : pods_(std::move(pods)), mirrorPods_(std::move(mirrorPods)) {
  client::ResourcePath collection{"", "v1", "pods", "", "", "", ""};
  collection.query = "fieldSelector=" + percentEncode("spec.nodeName=" + nodeName);
  informer_ = std::make_unique<client::Informer>(client, std::move(collection));
  client::EventHandlers handlers;
  handlers.onAdd = [this](const client::ObjectPtr&) { deliver(); };
  handlers.onUpdate = [this](const client::ObjectPtr&, const client::ObjectPtr&) { deliver(); };
  handlers.onDelete = [this](const client::ObjectPtr&) { deliver(); };
  informer_->addHandlers(std::move(handlers));
}

void ApiSource::deliver() {
  // The whole set each time, as upstream's UndeltaStore: PodConfig finds the differences.
  if (!informer_->hasSynced()) return;
  std::vector<json::object> pods, mirrors;
  for (const client::ObjectPtr& p : informer_->list()) (isMirrorPod(*p) ? mirrors : pods).push_back(*p);
  pods_(std::move(pods));
  mirrorPods_(std::move(mirrors));
}

boost::asio::awaitable<void> ApiSource::firstDelivery() {
  // Handlers fire before the first list counts as synced, and an empty list
  // fires none: deliver the first set once it is in.
  while (!stopped_ && !informer_->hasSynced()) co_await sleepFor(std::chrono::milliseconds(20));
  if (!stopped_) deliver();
}

boost::asio::awaitable<void> ApiSource::run() {
  boost::asio::co_spawn(co_await boost::asio::this_coro::executor, firstDelivery(), boost::asio::detached);
  co_await informer_->run();
}

void ApiSource::stop() {
  stopped_ = true;
  informer_->stop();
}

}  // namespace kcpp::kubelet::config
