#include "storage/memory/memory_store.h"

#include <algorithm>
#include <utility>

namespace kcpp::storage {

namespace {

bool hasPrefix(const std::string& key, const std::string& prefix) {
  return key.compare(0, prefix.size(), prefix) == 0;
}

Error closedError() { return makeError(Reason::ServiceUnavailable, "the store is closed"); }

}  // namespace

MemoryStore::MemoryStore() : hub_(current_, compacted_, WatchHubOptions{}) {}

MemoryStore::~MemoryStore() { close(); }

std::unique_ptr<MemoryStore> makeMemoryStore() { return std::make_unique<MemoryStore>(); }

boost::asio::awaitable<Result<KeyValue>> MemoryStore::get(std::string key) {
  co_return getNow(key);
}

boost::asio::awaitable<Result<RangeResult>> MemoryStore::range(RangeRequest request) {
  co_return rangeNow(request);
}

boost::asio::awaitable<Result<KeyValue>> MemoryStore::create(std::string key, std::string value) {
  co_return createNow(std::move(key), std::move(value));
}

boost::asio::awaitable<Result<KeyValue>> MemoryStore::update(std::string key, std::string value,
                                                             Revision expectedModRevision) {
  co_return updateNow(std::move(key), std::move(value), expectedModRevision);
}

boost::asio::awaitable<Result<KeyValue>> MemoryStore::remove(std::string key,
                                                             Revision expectedModRevision) {
  co_return removeNow(key, expectedModRevision);
}

boost::asio::awaitable<Result<Revision>> MemoryStore::currentRevision() {
  std::lock_guard lock(mutex_);
  if (closed_) co_return closedError();
  co_return current_;
}

boost::asio::awaitable<Result<Revision>> MemoryStore::compactedRevision() {
  std::lock_guard lock(mutex_);
  if (closed_) co_return closedError();
  co_return compacted_;
}

boost::asio::awaitable<Result<void>> MemoryStore::compact(Revision revision) {
  co_return compactNow(revision);
}

WatchPtr MemoryStore::watch(std::string prefix, Revision afterRevision, WatchSink sink) {
  return hub_.watch(std::move(prefix), afterRevision, std::move(sink));
}

void MemoryStore::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  hub_.close(closedError());
}

Revision MemoryStore::currentRevisionNow() {
  std::lock_guard lock(mutex_);
  return current_;
}

Revision MemoryStore::compactedRevisionNow() {
  std::lock_guard lock(mutex_);
  return compacted_;
}

Result<KeyValue> MemoryStore::getNow(const std::string& key) {
  std::lock_guard lock(mutex_);
  if (closed_) return closedError();
  const Version* live = liveVersionLocked(key);
  if (!live) return makeError(Reason::NotFound, "key not found: " + key);
  return KeyValue{key, live->value, live->createRevision, live->modRevision};
}

Result<RangeResult> MemoryStore::rangeNow(const RangeRequest& request) {
  std::lock_guard lock(mutex_);
  if (closed_) return closedError();
  Revision revision = request.revision == 0 ? current_ : request.revision;
  if (auto readable = checkReadableLocked(revision); !readable) return std::move(readable).error();

  RangeResult result;
  result.revision = revision;
  bool afterPrefix = !request.startAfter.empty() && request.startAfter >= request.prefix;
  auto it = afterPrefix ? keys_.upper_bound(request.startAfter) : keys_.lower_bound(request.prefix);
  for (; it != keys_.end() && hasPrefix(it->first, request.prefix); ++it) {
    const History& history = it->second;
    // The newest version at or below `revision`.
    auto next = std::upper_bound(history.begin(), history.end(), revision,
                                 [](Revision r, const Version& v) { return r < v.modRevision; });
    if (next == history.begin() || std::prev(next)->deleted) continue;
    if (request.limit > 0 && std::ssize(result.kvs) == request.limit) {
      result.more = true;
      break;
    }
    const Version& v = *std::prev(next);
    result.kvs.push_back(KeyValue{it->first, v.value, v.createRevision, v.modRevision});
  }
  return result;
}

Result<KeyValue> MemoryStore::createNow(std::string key, std::string value) {
  std::lock_guard lock(mutex_);
  if (auto writable = checkWritableLocked(); !writable) return std::move(writable).error();
  if (liveVersionLocked(key)) return makeError(Reason::AlreadyExists, "key already exists: " + key);
  return applyLocked(std::move(key), Version{.value = std::move(value)}, nullptr);
}

Result<KeyValue> MemoryStore::updateNow(std::string key, std::string value,
                                        Revision expectedModRevision) {
  std::lock_guard lock(mutex_);
  if (auto writable = checkWritableLocked(); !writable) return std::move(writable).error();
  const Version* live = liveVersionLocked(key);
  if (!live) return makeError(Reason::NotFound, "key not found: " + key);
  if (expectedModRevision != 0 && live->modRevision != expectedModRevision) {
    return makeError(Reason::Conflict, "modRevision of " + key + " is " +
                                           std::to_string(live->modRevision) + ", not " +
                                           std::to_string(expectedModRevision));
  }
  Version next{.createRevision = live->createRevision, .value = std::move(value)};
  return applyLocked(std::move(key), std::move(next), live);
}

Result<KeyValue> MemoryStore::removeNow(const std::string& key, Revision expectedModRevision) {
  std::lock_guard lock(mutex_);
  if (auto writable = checkWritableLocked(); !writable) return std::move(writable).error();
  const Version* live = liveVersionLocked(key);
  if (!live) return makeError(Reason::NotFound, "key not found: " + key);
  if (expectedModRevision != 0 && live->modRevision != expectedModRevision) {
    return makeError(Reason::Conflict, "modRevision of " + key + " is " +
                                           std::to_string(live->modRevision) + ", not " +
                                           std::to_string(expectedModRevision));
  }
  Version tombstone{.createRevision = live->createRevision, .deleted = true};
  return applyLocked(key, std::move(tombstone), live);
}

// Appends `version` at the next revision, publishes its event and returns what
// the caller gets: the new key/value, or for a delete the old one at the new revision.
Result<KeyValue> MemoryStore::applyLocked(std::string key, Version version, const Version* prev) {
  Revision revision = ++current_;
  version.modRevision = revision;
  if (!version.deleted && !prev) version.createRevision = revision;

  Event event;
  event.type = version.deleted ? Event::Type::Delete : Event::Type::Put;
  event.kv = KeyValue{key, version.value, version.createRevision, revision};
  if (prev) event.prev = KeyValue{key, prev->value, prev->createRevision, prev->modRevision};

  KeyValue reply = event.kv;
  if (version.deleted) reply.value = prev->value;
  keys_[std::move(key)].push_back(std::move(version));  // invalidates `prev`
  std::vector<Event> events;
  events.push_back(std::move(event));
  hub_.publish(std::move(events));  // under mutex_: keeps publication in revision order
  return reply;
}

Result<void> MemoryStore::compactNow(Revision revision) {
  std::lock_guard lock(mutex_);
  if (auto writable = checkWritableLocked(); !writable) return std::move(writable).error();
  if (revision > current_) {
    return makeError(Reason::BadRequest, "cannot compact to future revision " +
                                             std::to_string(revision) + " (current " +
                                             std::to_string(current_) + ")");
  }
  if (revision <= compacted_) return {};  // already done: compaction is idempotent
  for (auto it = keys_.begin(); it != keys_.end();) {
    History& history = it->second;
    auto next = std::upper_bound(history.begin(), history.end(), revision,
                                 [](Revision r, const Version& v) { return r < v.modRevision; });
    if (next != history.begin()) {
      // Keep the newest version at or below `revision`, unless it is a tombstone.
      auto keep = std::prev(next);
      if (keep->deleted) keep = next;
      history.erase(history.begin(), keep);
    }
    it = history.empty() ? keys_.erase(it) : std::next(it);
  }
  compacted_ = revision;
  hub_.setCompacted(revision);
  return {};
}

Result<void> MemoryStore::checkWritableLocked() const {
  if (closed_) return closedError();
  return {};
}

Result<void> MemoryStore::checkReadableLocked(Revision revision) const {
  if (revision < compacted_) {
    return makeError(Reason::Expired, "required revision " + std::to_string(revision) +
                                          " has been compacted (compacted revision " +
                                          std::to_string(compacted_) + ")");
  }
  if (revision > current_) {
    return makeError(Reason::Timeout, "Too large resource version: " + std::to_string(revision) +
                                          ", current: " + std::to_string(current_));
  }
  return {};
}

const MemoryStore::Version* MemoryStore::liveVersionLocked(const std::string& key) const {
  auto it = keys_.find(key);
  if (it == keys_.end() || it->second.empty() || it->second.back().deleted) return nullptr;
  return &it->second.back();
}

}  // namespace kcpp::storage
