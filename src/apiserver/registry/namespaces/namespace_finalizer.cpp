#include "apiserver/registry/namespaces/namespace_finalizer.h"

#include <map>

#include "api/meta/object.h"

namespace kcpp::apiserver {

namespace json = boost::json;

NamespaceFinalizer::NamespaceFinalizer(Registry& namespaces, std::vector<Registry*> namespaced,
                                       std::chrono::milliseconds delay)
    : namespaces_(namespaces), namespaced_(std::move(namespaced)), delay_(delay) {}

boost::asio::awaitable<bool> NamespaceFinalizer::finalize(const std::string& name) {
  bool empty = true;
  for (Registry* registry : namespaced_) {
    // Named arguments, never `{}` temporaries, in co_await calls: GCC 12
    // destroys such temporaries twice.
    storage::ListOptions everything;
    auto list = co_await registry->list(name, std::move(everything));
    if (!list) {
      empty = false;
      continue;
    }
    for (const auto& item : list->items) {
      auto obj = api::parseJson(*item.json);
      if (!obj || !obj->is_object()) continue;
      std::string itemName(api::metaName(obj->get_object()));
      DeleteOptions options;
      options.gracePeriodSeconds = 0;
      // As upstream's namespace deleter: never the orphan default (v1
      // ReplicationControllers), which would wait for a garbage collector.
      options.propagationPolicy = "Background";
      auto removed = co_await registry->remove(name, itemName, options);
      if (!removed || !removed->deleted) empty = false;
    }
  }
  if (!empty) co_return false;
  json::object body{{"spec", json::object{{"finalizers", json::array{}}}}};
  WriteOptions write;
  auto finalized =
      co_await namespaces_.update("", name, std::move(body), Subresource::Finalize, write);
  if (!finalized) co_return finalized.error().reason == Reason::NotFound;
  DeleteOptions deleteOptions;
  auto removed = co_await namespaces_.remove("", name, deleteOptions);
  co_return (removed && removed->deleted) ||
      (!removed && removed.error().reason == Reason::NotFound);
}

boost::asio::awaitable<void> NamespaceFinalizer::run(const std::atomic<bool>& stop) {
  storage::Predicate terminating = [](const storage::Attributes& attrs) {
    return attrs.field("status.phase") == "Terminating";
  };
  auto watcher = namespaces_.watch("", terminating, 0, true);
  if (!watcher) co_return;
  using Clock = std::chrono::steady_clock;
  std::map<std::string, Clock::time_point> pending;  // name → when to start
  while (!stop) {
    auto events = co_await (*watcher)->next(std::chrono::seconds(1));
    if (!events) {
      watcher = namespaces_.watch("", terminating, 0, true);
      if (!watcher) co_return;
      continue;
    }
    for (const auto& ev : *events) {
      if (ev.type == storage::WatchEvent::Type::Added ||
          ev.type == storage::WatchEvent::Type::Modified) {
        pending.emplace(ev.object.attributes->fields.at("metadata.name"),
                        Clock::now() + delay_);
      }
    }
    // Namespaces still holding objects are retried on the next round (≤ 1 s).
    std::vector<std::string> due;
    for (const auto& [name, when] : pending) {
      if (when <= Clock::now()) due.push_back(name);
    }
    for (const std::string& name : due) {
      bool gone = co_await finalize(name);
      if (gone) pending.erase(name);
    }
  }
}

}  // namespace kcpp::apiserver
