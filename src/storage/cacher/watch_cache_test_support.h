#pragma once
// Shared by the watch cache's tests: a MemoryStore, a decoder for a tiny test
// object format, and a way to run a coroutine body to completion.
//
// Test objects are "name=value;..." strings: names starting with "f." are
// fields (selectors' metadata.name, spec.nodeName, ...), the others labels. The
// decoder's "JSON" records the value and the resourceVersion it was given, so
// tests can check which revision an event's object carries. "!bad" does not decode.

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "storage/cacher/watch_cache.h"
#include "storage/memory/memory_store.h"

namespace kcpp::storage::cachertest {

inline std::string jsonFor(const std::string& value, Revision revision) {
  return "{\"v\":\"" + value + "\",\"rv\":" + std::to_string(revision) + "}";
}

inline Result<DecodedObject> decodeTestObject(const KeyValue& kv) {
  if (kv.value == "!bad") return makeError(Reason::InternalError, "cannot decode !bad");
  auto attributes = std::make_shared<Attributes>();
  std::size_t start = 0;
  while (start < kv.value.size()) {
    std::size_t end = kv.value.find(';', start);
    if (end == std::string::npos) end = kv.value.size();
    const std::string pair = kv.value.substr(start, end - start);
    const std::size_t eq = pair.find('=');
    if (eq != std::string::npos) {
      const std::string name = pair.substr(0, eq);
      const std::string value = pair.substr(eq + 1);
      if (name.starts_with("f.")) {
        attributes->fields[name.substr(2)] = value;
      } else {
        attributes->labels[name] = value;
      }
    }
    start = end + 1;
  }
  return DecodedObject{std::make_shared<const std::string>(jsonFor(kv.value, kv.modRevision)),
                       std::move(attributes)};
}

inline Predicate labelIs(std::string name, std::string value) {
  return [name = std::move(name), value = std::move(value)](const Attributes& a) {
    auto it = a.labels.find(name);
    return it != a.labels.end() && it->second == value;
  };
}

// "Everything, consistent read". Tests never write `co_await cache->list({})`:
// GCC 12.2 miscompiles a braced aggregate temporary passed as an argument inside
// a co_await expression (it relocates the object bitwise, so its strings later
// free memory they do not own). Named variables and function results are fine.
inline ListOptions everything() { return ListOptions{}; }

inline std::vector<std::string> keysOf(const std::vector<CachedObject>& items) {
  std::vector<std::string> keys;
  for (const auto& item : items) keys.push_back(item.key);
  return keys;
}

class WatchCacheTest : public ::testing::Test {
 protected:
  static constexpr const char* kPrefix = "/registry/pods/";

  Decoder countingDecoder() {
    return [this](const KeyValue& kv) {
      decodes.fetch_add(1);
      return decodeTestObject(kv);
    };
  }

  void makeCache(std::size_t history = 10000, std::size_t queue = 10000) {
    cache = std::make_unique<WatchCache>(*store, kPrefix, countingDecoder(), history, queue);
  }

  KeyValue put(const std::string& name, const std::string& value) {
    const std::string key = std::string(kPrefix) + name;
    auto existing = store->getNow(key);
    auto written = existing ? store->updateNow(key, value, 0) : store->createNow(key, value);
    EXPECT_TRUE(written.ok());
    return written ? *written : KeyValue{};
  }

  // A write to another resource: moves the store's revision, brings no event.
  void writeElsewhere() {
    EXPECT_TRUE(store->createNow("/registry/secrets/ns1/s" + std::to_string(elsewhere++), "x").ok());
  }

  KeyValue remove(const std::string& name) {
    auto removed = store->removeNow(std::string(kPrefix) + name, 0);
    EXPECT_TRUE(removed.ok());
    return removed ? *removed : KeyValue{};
  }

  // Runs `body` (returning awaitable<void>) on io to completion.
  template <class Body>
  void run(Body body) {
    auto done = boost::asio::co_spawn(io, std::move(body), boost::asio::use_future);
    io.restart();
    io.run();
    done.get();
  }

  // Waits until the cache applied everything the store has (the last write must
  // be under the cache's prefix).
  boost::asio::awaitable<void> caughtUp() {
    auto reached = co_await cache->waitForRevision(store->currentRevisionNow());
    EXPECT_TRUE(reached.ok());
  }

  // Declared in destruction order: the cache goes before the store, the store
  // before the io_context its events are posted to.
  boost::asio::io_context io;
  std::unique_ptr<MemoryStore> store = makeMemoryStore();
  std::atomic<int> decodes{0};
  int elsewhere = 0;
  std::unique_ptr<WatchCache> cache;
};

}  // namespace kcpp::storage::cachertest
