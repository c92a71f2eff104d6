#pragma once
// Store: key/value storage with etcd v3's semantics (DESIGN.md §4).
//
// - One global revision, bumped by every successful write; resourceVersion is it.
// - Each key carries createRevision and modRevision.
// - create fails if the key exists; update and remove compare the key's modRevision.
// - range reads a key prefix at the current or at an older revision, with a limit.
// - watch delivers every change under a prefix after a revision, in revision order,
//   with no gaps; history older than the compacted revision is gone (Reason::Expired).
//
// Operations are asynchronous (Asio awaitables) so that a remote backend such as
// etcd fits behind the same interface; an operation's coroutine resumes on the
// caller's executor. A write completes only once it is durable.
//
// Errors (util/error.h) use these reasons, with plain messages the API layer
// rewrites to name the resource: NotFound (no such key), AlreadyExists (create of
// an existing key), Conflict (modRevision differs), Expired (revision compacted),
// InternalError (the backend failed), ServiceUnavailable (the store is closed).

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "util/error.h"

namespace kcpp::storage {

using Revision = std::int64_t;

struct KeyValue {
  std::string key;
  std::string value;
  Revision createRevision = 0;
  Revision modRevision = 0;
};

struct RangeRequest {
  std::string prefix;      // every key starting with this
  std::string startAfter;  // only keys > this (for paging); empty: from the start
  Revision revision = 0;   // 0: current; otherwise read as of this revision
  std::int64_t limit = 0;  // 0: no limit
};

struct RangeResult {
  std::vector<KeyValue> kvs;  // in key order
  Revision revision = 0;      // the revision the range was read at
  bool more = false;          // more keys matched than limit allowed
};

struct Event {
  enum class Type { Put, Delete };
  Type type = Type::Put;
  // Put: the new key/value. Delete: key, empty value, modRevision = the delete's
  // revision, createRevision of the deleted key.
  KeyValue kv;
  // The value before this event, when there was one (always set for Delete).
  std::optional<KeyValue> prev;
};

// Receives a watch's events, in revision order, possibly several per call (all
// events of one revision are delivered together). Called from a backend thread:
// it must be quick and thread-safe. After an error call no more events arrive.
struct WatchSink {
  std::function<void(std::vector<Event>)> onEvents;
  std::function<void(Error)> onError;
};

// A running watch; destroying it cancels the watch (no callbacks after the
// destructor returns).
class Watch {
 public:
  virtual ~Watch() = default;
};
using WatchPtr = std::unique_ptr<Watch>;

class Store {
 public:
  virtual ~Store() = default;

  virtual boost::asio::awaitable<Result<KeyValue>> get(std::string key) = 0;
  virtual boost::asio::awaitable<Result<RangeResult>> range(RangeRequest request) = 0;

  // Returns the new key/value (its modRevision is the write's revision).
  virtual boost::asio::awaitable<Result<KeyValue>> create(std::string key, std::string value) = 0;
  virtual boost::asio::awaitable<Result<KeyValue>> update(std::string key, std::string value,
                                                          Revision expectedModRevision) = 0;
  // expectedModRevision 0 deletes whatever is there. Returns the deleted
  // key/value as it was, with modRevision set to the delete's revision.
  virtual boost::asio::awaitable<Result<KeyValue>> remove(std::string key,
                                                          Revision expectedModRevision) = 0;

  // The newest revision (of any key).
  virtual boost::asio::awaitable<Result<Revision>> currentRevision() = 0;
  // The oldest revision still readable: everything below was compacted.
  virtual boost::asio::awaitable<Result<Revision>> compactedRevision() = 0;
  // Drops history older than `revision`; the latest value of each key stays.
  virtual boost::asio::awaitable<Result<void>> compact(Revision revision) = 0;

  // Watches every key under `prefix` for changes with revision > `afterRevision`.
  // If afterRevision is older than the compacted revision, the sink's onError
  // receives Reason::Expired at once.
  virtual WatchPtr watch(std::string prefix, Revision afterRevision, WatchSink sink) = 0;

  // Stops accepting writes, finishes the ones in flight and makes them durable.
  virtual void close() = 0;
};
using StorePtr = std::unique_ptr<Store>;

}  // namespace kcpp::storage
