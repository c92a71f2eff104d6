// Reads: LIST and GET with upstream's resourceVersion rules, from memory when
// the cache is fresh enough and from the store otherwise, and the waits for a
// revision they rely on.
#include <algorithm>
#include <string>
#include <utility>

#include "storage/cacher/watch_cache_impl.h"

namespace kcpp::storage {

namespace asio = boost::asio;

namespace cacher {

Error tooLargeResourceVersion(Revision wanted, Revision current) {
  // Upstream wraps it in NewTimeoutError, which prefixes "Timeout: ".
  Error error = makeError(Reason::Timeout, "Timeout: Too large resource version: " +
                                               std::to_string(wanted) +
                                               ", current: " + std::to_string(current));
  error.retryAfterSeconds = 1;
  error.causes.push_back(Cause{"ResourceVersionTooLarge", "Too large resource version", ""});
  return error;
}

}  // namespace cacher

namespace {

using cacher::ObjectPtr;

// Upstream etcd3 store's messages for a read below the compacted revision.
constexpr const char* kExpiredList = "The resourceVersion for the provided list is too old.";
constexpr const char* kExpiredContinue =
    "The provided continue parameter is too old to display a consistent list result. You can "
    "start a new list without the continue parameter, or use the continue token in this response "
    "to retrieve the remainder of the results. Continuing with the provided token results in an "
    "inconsistent list - objects that were created, modified, or deleted between the time the "
    "first chunk was returned and now may show up in the list.";

// Later pages of a filtered store read grow, as upstream's, up to this.
constexpr std::int64_t kMaxStorePage = 10000;

enum class ListPlan { Consistent, NotOlderThan, Exact, Continue };

// https://kubernetes.io/docs/reference/using-api/api-concepts/#semantics-for-get-and-list
ListPlan planFor(const ListOptions& options) {
  if (!options.continueAfter.empty()) return ListPlan::Continue;
  switch (options.match) {
    case RevisionMatch::Exact:
      return ListPlan::Exact;
    case RevisionMatch::NotOlderThan:
      return ListPlan::NotOlderThan;
    case RevisionMatch::Unset:
      break;
  }
  if (options.revision == 0) return ListPlan::Consistent;
  // Legacy: a resourceVersion with a limit means exactly that revision.
  return options.limit > 0 ? ListPlan::Exact : ListPlan::NotOlderThan;
}

bool matches(const Predicate& predicate, const CachedObject& object) {
  return !predicate || predicate(*object.attributes);
}

}  // namespace

asio::awaitable<Result<ListResult>> WatchCache::Impl::list(ListOptions options) {
  if (options.prefix.empty()) options.prefix = prefix_;
  KCPP_CHECK(options.prefix.starts_with(prefix_), "a list outside the watch cache's prefix");
  switch (planFor(options)) {
    case ListPlan::Continue:
      co_return co_await listFromStore(options, options.revision, StoreRead::Continue);
    case ListPlan::Exact:
      co_return co_await listExact(options);
    case ListPlan::NotOlderThan:
      co_return co_await listNotOlderThan(options);
    case ListPlan::Consistent:
      break;
  }
  co_return co_await listConsistent(options);
}

// resourceVersion unset: the store's current state. Served from memory when the
// cache has caught up with the store, else read from the store (upstream's
// fallback when the cache cannot catch up).
asio::awaitable<Result<ListResult>> WatchCache::Impl::listConsistent(const ListOptions& options) {
  auto current = co_await store_.currentRevision();
  if (!current) co_return std::move(current).error();
  // (No co_await inside conditions: GCC 12 miscompiles some of those.)
  bool fresh = false;
  if (ready()) fresh = co_await catchUp(*current);
  if (fresh) co_return listFromMemory(options);
  co_return co_await listFromStore(options, 0, StoreRead::Latest);
}

asio::awaitable<Result<ListResult>> WatchCache::Impl::listNotOlderThan(const ListOptions& options) {
  const Revision wanted = options.revision;
  if (!ready()) {
    // Not following the store (not started, or relisting): its current state is
    // fresh enough, unless `wanted` is beyond it.
    auto current = co_await store_.currentRevision();
    if (!current) co_return std::move(current).error();
    if (wanted > *current) co_return cacher::tooLargeResourceVersion(wanted, *current);
    co_return co_await listFromStore(options, 0, StoreRead::Latest);
  }
  bool fresh = true;
  if (wanted > 0) fresh = co_await waitFor(wanted, cacher::kFreshnessTimeout);
  if (!fresh) co_return cacher::tooLargeResourceVersion(wanted, revision());
  co_return listFromMemory(options);
}

asio::awaitable<Result<ListResult>> WatchCache::Impl::listExact(const ListOptions& options) {
  if (options.revision > 0) {
    auto current = co_await store_.currentRevision();
    if (!current) co_return std::move(current).error();
    if (options.revision > *current) {
      co_return cacher::tooLargeResourceVersion(options.revision, *current);
    }
  }
  co_return co_await listFromStore(options, options.revision, StoreRead::Exact);
}

// The cache's state, in key order; a limited list continues (from the store)
// at this revision after its last key.
ListResult WatchCache::Impl::listFromMemory(const ListOptions& options) const {
  std::shared_lock state(stateMutex_);
  ListResult result;
  result.revision = revision();
  const auto limit = static_cast<std::size_t>(std::max<std::int64_t>(options.limit, 0));
  result.items.reserve(limit > 0 ? std::min(limit, objects_.size()) : objects_.size());
  auto it = objects_.lower_bound(options.prefix);
  auto inPrefix = [&](ObjectMap::const_iterator i) {
    return i != objects_.end() && i->first.starts_with(options.prefix);
  };
  for (; inPrefix(it); ++it) {
    const CachedObject& object = *it->second;
    if (!matches(options.predicate, object)) continue;
    if (limit > 0 && result.items.size() == limit) {
      // Another match exists: the list continues after the last item.
      result.continueAfter = result.items.back().key;
      if (!options.predicate) {
        std::int64_t remaining = 0;
        for (; inPrefix(it); ++it) ++remaining;
        result.remainingItemCount = remaining;
      }
      break;
    }
    result.items.push_back(object);
  }
  return result;
}

// Reads the store at `revision` (0: its current one) from options.continueAfter,
// filtering, until `limit` items matched or the prefix is exhausted.
asio::awaitable<Result<ListResult>> WatchCache::Impl::listFromStore(const ListOptions& options,
                                                                    Revision revision,
                                                                    StoreRead read) {
  ListResult result;
  RangeRequest request{options.prefix, options.continueAfter, revision, options.limit};
  for (;;) {
    auto page = co_await store_.range(request);
    if (!page) {
      Error error = std::move(page).error();
      if (error.reason == Reason::Expired && read == StoreRead::Continue) error.message = kExpiredContinue;
      if (error.reason == Reason::Expired && read == StoreRead::Exact) error.message = kExpiredList;
      co_return error;
    }
    request.revision = page->revision;  // later pages read the same revision
    auto objects = objectsFor(page->kvs);
    if (!objects) co_return std::move(objects).error();
    for (std::size_t i = 0; i < objects->size(); ++i) {
      const CachedObject& object = *(*objects)[i];
      if (!matches(options.predicate, object)) continue;
      result.items.push_back(object);
      if (options.limit > 0 && std::ssize(result.items) == options.limit) {
        if (i + 1 < objects->size() || page->more) result.continueAfter = object.key;
        result.revision = request.revision;
        co_return result;
      }
    }
    if (!page->more || page->kvs.empty()) break;
    request.startAfter = page->kvs.back().key;
    if (request.limit > 0) request.limit = std::min(request.limit * 2, kMaxStorePage);
  }
  result.revision = request.revision;
  co_return result;
}

// The objects for what the store returned. A key's value at a given modRevision
// never changes, so the cache's decoded object is reused whenever its
// modRevision matches: a read from the store only decodes what changed since.
Result<std::vector<ObjectPtr>> WatchCache::Impl::objectsFor(const std::vector<KeyValue>& kvs) const {
  std::vector<ObjectPtr> objects(kvs.size());
  std::vector<std::size_t> misses;
  {
    std::shared_lock state(stateMutex_);
    // kvs are in key order: walk objects_ alongside instead of a lookup per key.
    auto it = kvs.empty() ? objects_.end() : objects_.lower_bound(kvs.front().key);
    for (std::size_t i = 0; i < kvs.size(); ++i) {
      while (it != objects_.end() && it->first < kvs[i].key) ++it;
      if (it != objects_.end() && it->first == kvs[i].key && it->second->modRevision == kvs[i].modRevision) {
        objects[i] = it->second;
      } else {
        misses.push_back(i);
      }
    }
  }
  for (std::size_t i : misses) {
    auto object = decode(kvs[i]);
    if (!object) {
      return makeError(Reason::InternalError,
                       "cannot decode " + kvs[i].key + ": " + object.error().message);
    }
    objects[i] = std::move(*object);
  }
  return objects;
}

asio::awaitable<Result<CachedObject>> WatchCache::Impl::get(std::string key) {
  KCPP_CHECK(key.starts_with(prefix_), "a get outside the watch cache's prefix");
  auto current = co_await store_.currentRevision();
  if (!current) co_return std::move(current).error();
  bool fresh = false;
  if (ready()) fresh = co_await catchUp(*current);
  if (fresh) {
    if (auto object = peek(key)) co_return std::move(*object);
    co_return makeError(Reason::NotFound, "key not found: " + key);
  }
  auto kv = co_await store_.get(key);
  if (!kv) co_return std::move(kv).error();
  auto objects = objectsFor({std::move(*kv)});
  if (!objects) co_return std::move(objects).error();
  co_return *objects->front();
}

std::optional<CachedObject> WatchCache::Impl::peek(const std::string& key) const {
  std::shared_lock state(stateMutex_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return std::nullopt;
  return *it->second;
}

asio::awaitable<Result<void>> WatchCache::Impl::waitForRevision(Revision revision) {
  const bool reached = co_await waitFor(revision, cacher::kFreshnessTimeout);
  if (reached) co_return Result<void>{};
  co_return cacher::tooLargeResourceVersion(revision, this->revision());
}

// Whether the cache holds the store's state as of `storeRevision`, waiting for
// events that are already on their way. The store's revision is global: when
// its newest writes were to other resources no event will come, and without a
// progress notification from the store the cache cannot tell that apart from
// events still in flight, so it answers no at once and the caller reads the
// store instead of stalling.
asio::awaitable<bool> WatchCache::Impl::catchUp(Revision storeRevision) {
  if (revision() >= storeRevision) co_return true;
  if (received_.load() < storeRevision) co_return false;
  co_return co_await waitFor(storeRevision, cacher::kFreshnessTimeout);
}

asio::awaitable<bool> WatchCache::Impl::waitFor(Revision wanted,
                                                std::chrono::steady_clock::duration timeout) {
  if (revision() >= wanted) co_return true;
  auto wakeup = std::make_shared<cacher::Wakeup>();
  if (!addWaiter(wanted, wakeup)) co_return revision() >= wanted;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (revision() < wanted && !stopped_) {
    const auto remaining = deadline - std::chrono::steady_clock::now();
    if (remaining <= std::chrono::steady_clock::duration::zero()) break;
    const bool notified = co_await wakeup->wait(remaining);
    if (!notified) break;
  }
  removeWaiter(wanted, wakeup);
  co_return revision() >= wanted;
}

// Registered under waitersMutex_, which apply() takes after raising revision_:
// either this sees the new revision or apply() sees this waiter.
bool WatchCache::Impl::addWaiter(Revision wanted, const cacher::WakeupPtr& wakeup) {
  std::lock_guard lock(waitersMutex_);
  if (revision() >= wanted || stopped_) return false;
  waiters_.emplace(wanted, wakeup);
  return true;
}

void WatchCache::Impl::removeWaiter(Revision wanted, const cacher::WakeupPtr& wakeup) {
  std::lock_guard lock(waitersMutex_);
  auto [first, last] = waiters_.equal_range(wanted);
  for (auto it = first; it != last; ++it) {
    if (it->second == wakeup) {
      waiters_.erase(it);
      return;
    }
  }
}

void WatchCache::Impl::notifyWaiters(Revision reached, bool all) {
  std::vector<cacher::WakeupPtr> woken;
  {
    std::lock_guard lock(waitersMutex_);
    auto end = all ? waiters_.end() : waiters_.upper_bound(reached);
    for (auto it = waiters_.begin(); it != end; ++it) woken.push_back(it->second);
    waiters_.erase(waiters_.begin(), end);
  }
  for (const auto& wakeup : woken) wakeup->notify();
}

}  // namespace kcpp::storage
