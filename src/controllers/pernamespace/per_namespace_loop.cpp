#include "controllers/pernamespace/per_namespace_loop.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <map>
#include <set>

namespace kcpp::controllers {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using storage::WatchEvent;

namespace {

constexpr auto kRound = std::chrono::seconds(1);  // stop checks, retry delay

bool isActive(const storage::CachedObject& ns) { return ns.field("status.phase") == "Active"; }

}  // namespace

// Everything the loop's coroutines share; they each hold it, and touch it only
// on the strand.
struct PerNamespaceLoop::State {
  explicit State(const asio::any_io_executor& executor)
      : strand(asio::make_strand(executor)), wake(strand) {}

  void enqueue(const std::string& ns) {
    pending.insert(ns);
    wake.cancel();
  }
  void requestResync() {
    resyncAll = true;
    wake.cancel();
  }
  // Failed syncs whose retry time has come go back to the queue.
  void requeueDueRetries() {
    auto now = Clock::now();
    for (auto it = retries.begin(); it != retries.end();) {
      if (it->second <= now) {
        pending.insert(it->first);
        it = retries.erase(it);
      } else {
        ++it;
      }
    }
  }

  asio::strand<asio::any_io_executor> strand;
  asio::steady_timer wake;
  std::set<std::string> pending;
  std::map<std::string, Clock::time_point> retries;
  bool resyncAll = false;
};

namespace {

asio::awaitable<void> pause(asio::steady_timer& timer, Clock::duration d) {
  timer.expires_after(d);
  boost::system::error_code ec;  // cancelled: woken early
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

// Every Added or Modified Active namespace (the first batch is all of them).
asio::awaitable<void> followNamespaces(std::shared_ptr<PerNamespaceLoop::State> state,
                                       apiserver::Registry& namespaces,
                                       const std::atomic<bool>& stop) {
  asio::steady_timer backoff(state->strand);
  while (!stop) {
    auto watcher = namespaces.watch("", storage::Predicate(), 0, true);
    if (!watcher) {  // the cache is not ready yet
      co_await pause(backoff, kRound);
      continue;
    }
    while (!stop) {
      auto events = co_await (*watcher)->next(kRound);
      if (!events) break;  // watch again: the new initial state covers the gap
      for (const WatchEvent& ev : *events) {
        if ((ev.type == WatchEvent::Type::Added || ev.type == WatchEvent::Type::Modified) &&
            isActive(ev.object)) {
          state->enqueue(ev.object.field("metadata.name"));
        }
      }
    }
  }
}

// Any change to the kept object, in whatever namespace.
asio::awaitable<void> followObjects(std::shared_ptr<PerNamespaceLoop::State> state,
                                    apiserver::Registry& objects, std::string objectName,
                                    const std::atomic<bool>& stop) {
  storage::Predicate named = [objectName](const storage::Attributes& attrs) {
    return attrs.field("metadata.name") == objectName;
  };
  asio::steady_timer backoff(state->strand);
  while (!stop) {
    auto watcher = objects.watch("", named, 0, false);
    if (!watcher) {
      co_await pause(backoff, kRound);
      continue;
    }
    while (!stop) {
      auto events = co_await (*watcher)->next(kRound);
      if (!events) {
        state->requestResync();  // changes may have been missed
        break;
      }
      for (const WatchEvent& ev : *events) {
        if (ev.type != WatchEvent::Type::Bookmark) {
          state->enqueue(ev.object.field("metadata.namespace"));
        }
      }
    }
  }
}

asio::awaitable<void> enqueueActiveNamespaces(PerNamespaceLoop::State& state,
                                              apiserver::Registry& namespaces) {
  storage::ListOptions all;
  auto listed = co_await namespaces.list("", std::move(all));
  if (!listed) {
    state.resyncAll = true;  // try again on the next round
    co_return;
  }
  for (const storage::CachedObject& ns : listed->items) {
    if (isActive(ns)) state.pending.insert(ns.field("metadata.name"));
  }
}

asio::awaitable<void> work(std::shared_ptr<PerNamespaceLoop::State> state,
                           apiserver::Registry& namespaces, const PerNamespaceLoop::Sync& sync,
                           std::string name, const std::atomic<bool>& stop) {
  while (!stop) {
    if (state->resyncAll) {
      state->resyncAll = false;
      co_await enqueueActiveNamespaces(*state, namespaces);
    }
    state->requeueDueRetries();
    if (state->pending.empty()) {
      co_await pause(state->wake, kRound);
      continue;
    }
    std::string ns = *state->pending.begin();
    state->pending.erase(state->pending.begin());
    auto synced = co_await sync(ns);
    if (!synced) {
      spdlog::debug("{}: syncing namespace {} failed: {}", name, ns, synced.error().message);
      state->retries[ns] = Clock::now() + kRound;
    }
  }
}

}  // namespace

PerNamespaceLoop::PerNamespaceLoop(std::string name, apiserver::Registry& namespaces,
                                   apiserver::Registry& objects, std::string objectName, Sync sync)
    : name_(std::move(name)),
      namespaces_(namespaces),
      objects_(objects),
      objectName_(std::move(objectName)),
      sync_(std::move(sync)) {}

PerNamespaceLoop::~PerNamespaceLoop() = default;

void PerNamespaceLoop::start(const asio::any_io_executor& executor, const std::atomic<bool>& stop) {
  state_ = std::make_shared<State>(executor);
  asio::co_spawn(state_->strand, followNamespaces(state_, namespaces_, stop), asio::detached);
  asio::co_spawn(state_->strand, followObjects(state_, objects_, objectName_, stop), asio::detached);
  asio::co_spawn(state_->strand, work(state_, namespaces_, sync_, name_, stop), asio::detached);
}

bool isActiveNamespace(apiserver::Registry& namespaces, const std::string& name) {
  auto found = namespaces.cache().peek(namespaces.key("", name));
  return found && isActive(*found);
}

}  // namespace kcpp::controllers
