#pragma once
// MemoryStore: a complete Store held in memory, with MVCC history (range and
// watch at older revisions), compaction and watches. Not durable: for tests, for
// the watch cache's tests and for `kcpp sim`. Thread-safe; every operation
// completes at once (its coroutine never suspends).

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/store.h"
#include "storage/watchhub/watch_hub.h"

namespace kcpp::storage {

class MemoryStore : public Store {
 public:
  MemoryStore();
  ~MemoryStore() override;

  boost::asio::awaitable<Result<KeyValue>> get(std::string key) override;
  boost::asio::awaitable<Result<RangeResult>> range(RangeRequest request) override;
  boost::asio::awaitable<Result<KeyValue>> create(std::string key, std::string value) override;
  boost::asio::awaitable<Result<KeyValue>> update(std::string key, std::string value,
                                                  Revision expectedModRevision) override;
  boost::asio::awaitable<Result<KeyValue>> remove(std::string key,
                                                  Revision expectedModRevision) override;
  boost::asio::awaitable<Result<Revision>> currentRevision() override;
  boost::asio::awaitable<Result<Revision>> compactedRevision() override;
  boost::asio::awaitable<Result<void>> compact(Revision revision) override;
  WatchPtr watch(std::string prefix, Revision afterRevision, WatchSink sink) override;
  void close() override;

  // The same operations without a coroutine, for callers that are not in one.
  Result<KeyValue> getNow(const std::string& key);
  Result<RangeResult> rangeNow(const RangeRequest& request);
  Result<KeyValue> createNow(std::string key, std::string value);
  Result<KeyValue> updateNow(std::string key, std::string value, Revision expectedModRevision);
  Result<KeyValue> removeNow(const std::string& key, Revision expectedModRevision);
  Result<void> compactNow(Revision revision);
  Revision currentRevisionNow();
  Revision compactedRevisionNow();

 private:
  // One value of a key as of modRevision; a deleted one is a tombstone.
  struct Version {
    Revision modRevision = 0;
    Revision createRevision = 0;
    bool deleted = false;
    std::string value{};
  };
  using History = std::vector<Version>;  // oldest first

  Result<void> checkWritableLocked() const;
  const Version* liveVersionLocked(const std::string& key) const;
  Result<KeyValue> applyLocked(std::string key, Version version, const Version* prev);
  Result<void> checkReadableLocked(Revision revision) const;

  std::mutex mutex_;
  std::map<std::string, History, std::less<>> keys_;
  Revision current_ = 1;  // as etcd: an empty store is at revision 1
  Revision compacted_ = 0;
  bool closed_ = false;
  WatchHub hub_;
};
using MemoryStorePtr = std::unique_ptr<MemoryStore>;

std::unique_ptr<MemoryStore> makeMemoryStore();

}  // namespace kcpp::storage
