// WatchCache's public face, and its lifecycle: the initial list, following the
// store's watch, relisting when that watch fails, and shutdown.
#include "storage/cacher/watch_cache.h"

#include <boost/json/parse.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/spdlog.h>

#include <utility>

#include "storage/cacher/watch_cache_impl.h"

namespace kcpp::storage {

namespace asio = boost::asio;

namespace {

// Pages of the initial list: bounds the memory one store read holds at once.
constexpr std::int64_t kListPageSize = 10000;
constexpr std::chrono::seconds kRelistBackoff{1};

Error closedError() {
  Error error = makeError(Reason::ServiceUnavailable, "the watch cache is shutting down");
  error.retryAfterSeconds = 1;
  return error;
}

}  // namespace

// ---- WatchCache: each call holds its Impl alive for its duration. The public
// functions hand their arguments to a coroutine rather than being one: one
// coroutine frame per call instead of two.

namespace {

asio::awaitable<Result<void>> startWith(std::shared_ptr<WatchCache::Impl> impl) {
  co_return co_await impl->start();
}

asio::awaitable<Result<ListResult>> listWith(std::shared_ptr<WatchCache::Impl> impl,
                                             ListOptions options) {
  co_return co_await impl->list(std::move(options));
}

asio::awaitable<Result<CachedObject>> getWith(std::shared_ptr<WatchCache::Impl> impl, std::string key) {
  co_return co_await impl->get(std::move(key));
}

asio::awaitable<Result<void>> waitWith(std::shared_ptr<WatchCache::Impl> impl, Revision revision) {
  co_return co_await impl->waitForRevision(revision);
}

}  // namespace

std::optional<boost::json::object> CachedObject::parsedObject() const {
  if (!json) return std::nullopt;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(*json, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

WatchCache::WatchCache(Store& store, std::string prefix, Decoder decoder, std::size_t historyCapacity,
                       std::size_t watcherQueueCapacity)
    : impl_(std::make_shared<Impl>(store, std::move(prefix), std::move(decoder), historyCapacity,
                                   watcherQueueCapacity)) {}

WatchCache::~WatchCache() { impl_->shutdown(); }

asio::awaitable<Result<void>> WatchCache::start() { return startWith(impl_); }

asio::awaitable<Result<ListResult>> WatchCache::list(ListOptions options) {
  return listWith(impl_, std::move(options));
}

asio::awaitable<Result<CachedObject>> WatchCache::get(std::string key) {
  return getWith(impl_, std::move(key));
}

std::optional<CachedObject> WatchCache::peek(const std::string& key) const { return impl_->peek(key); }

Result<CacheWatcherPtr> WatchCache::watch(std::string prefix, Predicate predicate,
                                          Revision afterRevision, bool sendInitialState) {
  return impl_->watch(std::move(prefix), std::move(predicate), afterRevision, sendInitialState);
}

asio::awaitable<Result<void>> WatchCache::waitForRevision(Revision revision) {
  return waitWith(impl_, revision);
}

Revision WatchCache::revision() const { return impl_->revision(); }
std::size_t WatchCache::size() const { return impl_->size(); }
bool WatchCache::ready() const { return impl_->ready(); }
std::size_t WatchCache::watcherCount() const { return impl_->watcherCount(); }

// ---- Impl: lifecycle.

WatchCache::Impl::Impl(Store& store, std::string prefix, Decoder decoder,
                       std::size_t historyCapacity, std::size_t watcherQueueCapacity)
    : store_(store),
      prefix_(std::move(prefix)),
      decoder_(std::move(decoder)),
      registry_(std::make_shared<cacher::WatcherRegistry>(watcherQueueCapacity)),
      history_(historyCapacity) {
  KCPP_CHECK(static_cast<bool>(decoder_), "a WatchCache needs a Decoder");
}

asio::awaitable<Result<void>> WatchCache::Impl::start() {
  {
    std::lock_guard lock(lifecycleMutex_);
    KCPP_CHECK(!started_, "WatchCache::start() called twice");
    started_ = true;
  }
  executor_ = co_await asio::this_coro::executor;
  auto started = co_await listAndWatch();
  if (!started) {
    std::lock_guard lock(lifecycleMutex_);
    started_ = false;  // the caller may try again
  }
  co_return started;
}

// Lists the store, installs what it read, then watches from the list's revision:
// no event can fall between the two.
asio::awaitable<Result<void>> WatchCache::Impl::listAndWatch() {
  const std::uint64_t generation = generation_.load() + 1;
  Revision revision = 0;
  auto objects = co_await listStore(revision);
  if (!objects) co_return std::move(objects).error();
  if (stopped_) co_return closedError();
  install(std::move(*objects), revision, generation);

  WatchPtr watch = store_.watch(prefix_, revision, makeSink(generation));
  std::lock_guard lock(lifecycleMutex_);
  if (stopped_) co_return closedError();  // `watch` ends when this returns
  // A failure of this very watch may already have started the next relist.
  if (generation_.load() == generation) storeWatch_ = std::move(watch);
  co_return Result<void>{};
}

asio::awaitable<Result<WatchCache::Impl::ObjectMap>> WatchCache::Impl::listStore(Revision& revision) {
  ObjectMap objects;
  RangeRequest request;
  request.prefix = prefix_;
  request.limit = kListPageSize;
  for (;;) {
    auto page = co_await store_.range(request);
    if (!page) co_return std::move(page).error();
    request.revision = page->revision;  // every page reads the first one's revision
    for (const KeyValue& kv : page->kvs) {
      auto object = decode(kv);
      if (!object) {
        // Unreadable data must not keep the whole resource out of the cache.
        spdlog::error("watch cache {}: skipping {}: {}", prefix_, kv.key, object.error().message);
        continue;
      }
      objects.emplace_hint(objects.end(), kv.key, std::move(*object));
    }
    if (!page->more || page->kvs.empty()) break;
    request.startAfter = page->kvs.back().key;
  }
  revision = request.revision;
  co_return objects;
}

// Replaces the state with a fresh list. Watchers cannot continue across it
// (events between the old state and the list are unknown): they end, and their
// clients re-watch or relist, as with upstream's cacher after a relist.
void WatchCache::Impl::install(ObjectMap objects, Revision revision, std::uint64_t generation) {
  {
    std::unique_lock state(stateMutex_);
    objects_.swap(objects);
    history_.reset(revision);
    generation_.store(generation);
    revision_.store(revision, std::memory_order_release);
    auto registry = registry_->lock();
    state.unlock();
    registry_->terminateAll(registry, makeError(Reason::Expired,
                                                "the watch cache of " + prefix_ +
                                                    " relisted the store; the watch must restart"));
    registry_->setProgress(registry, revision);
  }
  Revision received = received_.load();
  while (received < revision && !received_.compare_exchange_weak(received, revision)) {
  }
  ready_.store(true, std::memory_order_release);
  notifyWaiters(revision, false);
  // `objects` now holds the old state: released here, outside every lock.
}

WatchSink WatchCache::Impl::makeSink(std::uint64_t generation) {
  std::weak_ptr<Impl> weak = weak_from_this();
  WatchSink sink;
  sink.onEvents = [weak, generation](std::vector<Event> events) {
    if (auto self = weak.lock()) self->onEvents(generation, std::move(events));
  };
  sink.onError = [weak, generation](Error error) {
    if (auto self = weak.lock()) self->onError(generation, std::move(error));
  };
  return sink;
}

// The store's watch ended: relist and watch again (retrying every second), or,
// if the store itself is closed, end every watcher.
// `self` keeps the state alive for as long as this coroutine runs.
asio::awaitable<void> WatchCache::Impl::recover([[maybe_unused]] std::shared_ptr<Impl> self,
                                                std::uint64_t generation, Error error) {
  if (stopped_ || generation != generation_.load()) co_return;
  if (error.reason == Reason::ServiceUnavailable) {
    close(error);
    co_return;
  }
  spdlog::warn("watch cache {}: the store's watch ended ({}); relisting", prefix_, error.message);
  ready_.store(false, std::memory_order_release);
  WatchPtr failed;
  {
    std::lock_guard lock(lifecycleMutex_);
    failed = std::move(storeWatch_);
  }
  failed.reset();
  asio::steady_timer backoff(executor_);
  for (;;) {
    auto relisted = co_await listAndWatch();
    if (relisted || stopped_) co_return;
    spdlog::warn("watch cache {}: relist failed ({}); retrying", prefix_, relisted.error().message);
    backoff.expires_after(kRelistBackoff);
    boost::system::error_code ignored;
    co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    if (stopped_) co_return;
  }
}

void WatchCache::Impl::close(const Error& error) {
  ready_.store(false, std::memory_order_release);
  auto registry = registry_->lock();
  registry_->terminateAll(registry, error);
}

void WatchCache::Impl::shutdown() {
  stopped_.store(true);
  WatchPtr watch;
  {
    std::lock_guard lock(lifecycleMutex_);
    watch = std::move(storeWatch_);
  }
  watch.reset();  // no store callbacks after this
  {
    // A batch being applied finishes (it may call the decoder); later ones see stopped_.
    std::lock_guard processing(processMutex_);
  }
  close(closedError());
  notifyWaiters(0, true);
}

std::size_t WatchCache::Impl::size() const {
  std::shared_lock state(stateMutex_);
  return objects_.size();
}

}  // namespace kcpp::storage
