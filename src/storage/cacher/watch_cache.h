#pragma once
// WatchCache: serves LIST, GET and WATCH of one resource from memory, as upstream's
// cacher does (DESIGN.md §4). One WatchCache per resource prefix (for example
// "/registry/configmaps/"). It lists the store once, then follows a store watch;
// writes never go through it (they go to the Store, and come back as events).
//
// resourceVersion semantics (upstream's, for LIST):
//   - RevisionMatch::Unset with revision 0 ("most recent"): consistent read: from
//     memory once the cache has applied the store's current revision (waiting,
//     on a timer, for events already on their way), else from the store.
//   - revision 0 with NotOlderThan ("resourceVersion=0"): whatever the cache has.
//   - NotOlderThan R: waits until the cache reached R (Reason::Timeout after ~3 s,
//     "Too large resource version" as upstream), then serves the current state.
//   - Exact R (or Unset R > 0 with a limit, upstream's legacy rule): the state as
//     of R, read from the store (Reason::Expired if compacted).
//   - continueAfter set (paging): read from the store at `revision` after that key.
//   - Unset R > 0 without a limit: as NotOlderThan R.
// A consistent read the cache cannot prove fresh is served from the store, as
// upstream falls back to etcd; so is every list while the cache is not ready.
// The Decoder and Predicates are called from several threads at once.
// Objects are kept as their encoded JSON (with resourceVersion already set) plus
// the labels and fields that selectors need, not as parsed trees: it keeps the
// memory per object near its size on the wire.

#include <boost/json/object.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "storage/store.h"
#include "util/error.h"

namespace kcpp::storage {

// What selectors look at (label and field selectors, metav1 semantics).
struct Attributes {
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> fields;  // e.g. "metadata.name", "spec.nodeName"

  // A selectable field's value; "" when the type has no such field.
  std::string field(const std::string& name) const {
    auto it = fields.find(name);
    return it == fields.end() ? std::string() : it->second;
  }

  friend bool operator==(const Attributes&, const Attributes&) = default;
};

struct CachedObject {
  std::string key;
  Revision createRevision = 0;
  Revision modRevision = 0;
  std::shared_ptr<const std::string> json;        // the object, resourceVersion set
  std::shared_ptr<const Attributes> attributes;

  std::string field(const std::string& name) const {
    return attributes ? attributes->field(name) : std::string();
  }
  // The object, parsed; nullopt when there is none or it is not a JSON object.
  std::optional<boost::json::object> parsedObject() const;
};

// Turns a stored value into a CachedObject's json and attributes (the API layer
// knows how: parse, set metadata.resourceVersion = modRevision, extract fields).
struct DecodedObject {
  std::shared_ptr<const std::string> json;
  std::shared_ptr<const Attributes> attributes;
};
using Decoder = std::function<Result<DecodedObject>(const KeyValue&)>;

// Selects objects; an empty function selects everything.
using Predicate = std::function<bool(const Attributes&)>;

enum class RevisionMatch { Unset, NotOlderThan, Exact };

// Build it as a named variable: GCC 12.2 miscompiles `co_await cache.list({...})`
// (a braced aggregate temporary inside co_await is relocated bitwise, and its
// strings later free memory they do not own).
struct ListOptions {
  std::string prefix;  // within the cache's prefix, e.g. a namespace's
  Predicate predicate;
  Revision revision = 0;
  RevisionMatch match = RevisionMatch::Unset;
  std::int64_t limit = 0;      // 0: all
  std::string continueAfter;   // paging: keys after this, read at `revision`
};

struct ListResult {
  std::vector<CachedObject> items;  // in key order
  Revision revision = 0;            // the list's resourceVersion
  // Set when `limit` cut the list: the key to continue after (at `revision`).
  std::string continueAfter;
  // Upstream's remainingItemCount, when known (only for unfiltered lists).
  std::optional<std::int64_t> remainingItemCount;
};

struct WatchEvent {
  enum class Type { Added, Modified, Deleted, Bookmark };
  Type type = Type::Added;
  CachedObject object;  // Deleted: the last state (with the delete's modRevision)
  Revision revision = 0;  // for Bookmark: everything up to it has been delivered
  // Set on the Bookmark that follows the initial state of a watch started with
  // sendInitialState (upstream's "k8s.io/initial-events-end" bookmark). It comes
  // in next()'s batch right after the initial Added events; the API layer sends
  // it only when the client asked for sendInitialEvents and bookmarks.
  bool initialEventsEnd = false;
};

// One client's watch. Events are already filtered by the watch's prefix and
// predicate: an object that stops matching arrives as Deleted, one that starts
// matching as Added (upstream's behaviour).
class CacheWatcher {
 public:
  virtual ~CacheWatcher() = default;
  // Waits for events (all available ones, at least one) or until `timeout`
  // passes, then returns a single Bookmark at the revision this watcher is
  // caught up to. Error Reason::Expired if the watcher fell too far behind and
  // was dropped, or the cache had to relist the store (the client must relist),
  // or ServiceUnavailable on shutdown. One next() at a time per watcher; it may
  // be cancelled (Asio per-operation cancellation, e.g. awaitable operators),
  // which ends the wait early as a timeout would.
  virtual boost::asio::awaitable<Result<std::vector<WatchEvent>>> next(
      std::chrono::milliseconds timeout) = 0;
};
using CacheWatcherPtr = std::unique_ptr<CacheWatcher>;

class WatchCache {
 public:
  // `historyCapacity`: how many recent events are kept for watches that start
  // from an older resourceVersion; older ones get Reason::Expired ("too old
  // resource version: R (oldest)"), as upstream's cacher.
  // `watcherQueueCapacity`: how many undelivered events a watcher may have
  // before it is dropped (upstream closes watchers that do not keep up).
  WatchCache(Store& store, std::string prefix, Decoder decoder, std::size_t historyCapacity = 10000,
             std::size_t watcherQueueCapacity = 10000);
  // Ends every watcher (ServiceUnavailable). Destroy the cache while the
  // executors its watchers run on still exist, as any Asio I/O object.
  ~WatchCache();
  WatchCache(const WatchCache&) = delete;
  WatchCache& operator=(const WatchCache&) = delete;

  // Lists the store and starts following it. Call once, before watch(); lists
  // and gets before then are served from the store. Later events are applied on
  // the executor start() runs on. If the store's watch fails later (e.g. it was
  // compacted past the cache), the cache relists by itself and ends its watchers.
  boost::asio::awaitable<Result<void>> start();

  boost::asio::awaitable<Result<ListResult>> list(ListOptions options);
  // Consistent read of one key (from memory when caught up with the store, as
  // a consistent list; else from the store); NotFound if absent.
  boost::asio::awaitable<Result<CachedObject>> get(std::string key);
  // Whatever the cache has now for `key`, without waiting (resourceVersion=0).
  std::optional<CachedObject> peek(const std::string& key) const;

  // Watches `prefix` (within the cache's; empty: all of it) for objects that
  // match `predicate`:
  //   - sendInitialState: Added for every matching object as of the cache's
  //     revision, a Bookmark with initialEventsEnd, then every later change.
  //     (Upstream's resourceVersion=0 watch and sendInitialEvents=true; to honour
  //     a resourceVersion with it, call waitForRevision first.)
  //   - otherwise, afterRevision 0: every change from now on.
  //   - otherwise: every change after afterRevision, replayed from the history;
  //     Reason::Expired "too old resource version: R (OLDEST)" when it no longer
  //     reaches back that far.
  // ServiceUnavailable while the cache is not ready (not started or relisting).
  Result<CacheWatcherPtr> watch(std::string prefix, Predicate predicate, Revision afterRevision,
                                bool sendInitialState);

  // Waits (up to ~3 s) until the cache has applied `revision`; Reason::Timeout
  // "Too large resource version" otherwise, as upstream.
  boost::asio::awaitable<Result<void>> waitForRevision(Revision revision);

  Revision revision() const;  // the newest revision the cache has applied
  std::size_t size() const;
  // Started and following the store (for readiness checks).
  bool ready() const;
  // Live watchers (for metrics; dropped and destroyed ones are not counted).
  std::size_t watcherCount() const;

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace kcpp::storage
