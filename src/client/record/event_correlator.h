#pragma once
// EventCorrelator: upstream client-go's record.EventCorrelator
// (tools/record/events_cache.go), which keeps a component from flooding the API
// server with Events. Each Event passes, in order:
//  1. the aggregator: more than `maxEvents - 1` similar events (same source,
//     involvedObject, type, reason, reporting controller; different messages)
//     within `maxInterval` of each other become one event whose message is
//     "(combined from similar events): <latest message>";
//  2. the logger: an event identical to one already written (same key; for
//     combined events the aggregate key) is not created again: the existing one
//     is patched with count + 1, lastTimestamp and message;
//  3. the spam filter: per source + involvedObject a token bucket (burst 25,
//     refilled 1 per 300 s); an event over it is dropped.
// All caches are LRUs of upstream's 4,096 entries. Not thread-safe: one writer
// owns it (upstream serializes through the broadcaster's goroutine too).

#include <boost/json.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

namespace kcpp::client::record {

using Clock = std::function<std::chrono::system_clock::time_point()>;

struct CorrelatorOptions {
  std::size_t lruCacheSize = 4096;
  // Spam filter (EventSourceObjectSpamFilter); disabled when spamBurst is 0.
  int spamBurst = 25;
  double spamQps = 1.0 / 300.0;
  // Aggregator (EventAggregator); disabled when aggregateMaxEvents is 0.
  std::size_t aggregateMaxEvents = 10;
  std::chrono::seconds aggregateMaxInterval{600};
  Clock clock;  // system_clock::now when unset
};

struct CorrelateResult {
  boost::json::object event;
  // Set when an existing event is to be patched (strategic merge patch body).
  std::optional<std::string> patch;
  bool skip = false;
};

// A least-recently-used map of fixed capacity (upstream's golang-lru).
template <class V>
class LruCache {
 public:
  explicit LruCache(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}
  V* get(const std::string& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return &it->second->second;
  }
  void put(const std::string& key, V value) {
    if (V* existing = get(key)) {
      *existing = std::move(value);
      return;
    }
    if (index_.size() >= capacity_) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
    order_.emplace_front(key, std::move(value));
    index_[key] = order_.begin();
  }
  std::size_t size() const { return index_.size(); }

 private:
  std::size_t capacity_;
  std::list<std::pair<std::string, V>> order_;
  std::unordered_map<std::string, typename std::list<std::pair<std::string, V>>::iterator> index_;
};

class EventCorrelator {
 public:
  explicit EventCorrelator(CorrelatorOptions options = {});
  CorrelateResult correlate(boost::json::object event);
  // What the server answered for a created or patched event (its name,
  // resourceVersion, count), so later patches apply to it.
  void updateState(const boost::json::object& written);

  static std::string eventKey(const boost::json::object& event);
  static std::string spamKey(const boost::json::object& event);
  static std::string aggregateKey(const boost::json::object& event);

 private:
  struct AggregateRecord {
    std::set<std::string> messages;
    std::chrono::system_clock::time_point last;
  };
  struct Observation {
    long long count = 0;
    std::string firstTimestamp;
    std::string name;
    std::string resourceVersion;
  };
  struct TokenBucket {
    double tokens = 0;
    std::chrono::system_clock::time_point last;
  };

  // Returns the event to write (the original or a combined one) and its logger key.
  std::pair<boost::json::object, std::string> aggregate(boost::json::object event);
  std::optional<std::string> observe(boost::json::object& event, const std::string& key);
  bool spam(const boost::json::object& event);

  CorrelatorOptions options_;
  LruCache<AggregateRecord> aggregates_;
  LruCache<Observation> observations_;
  LruCache<TokenBucket> buckets_;
};

// "<involved object name>.<nanoseconds in hex>", upstream's event names.
std::string eventName(const std::string& objectName, std::chrono::system_clock::time_point now);

}  // namespace kcpp::client::record
