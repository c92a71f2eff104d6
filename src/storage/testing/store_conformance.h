#pragma once
// The Store conformance suite (DESIGN.md §6): one set of tests every backend runs,
// so that memory, SQLite and etcd behave the same behind store.h.
//
// A backend's *_test.cpp instantiates it with a factory:
//
//   KCPP_STORE_CONFORMANCE(Memory, (StoreFactory{"Memory", [](const std::string&) {
//     return Result<StorePtr>(makeMemoryStore()); }}))
//
// and its CMakeLists links `kcpp_storage_conformance` (TEST_DEPS), which pulls
// every test of this room into the binary.

#include <gtest/gtest.h>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <ostream>
#include <optional>
#include <string>
#include <vector>

#include "storage/store.h"
#include "util/error.h"

namespace kcpp::storage::conformance {

// Opens a fresh, empty store whose files (if any) live in `dir`, a temporary
// directory the test owns and removes.
struct StoreFactory {
  std::string name;  // letters and digits: it becomes part of the test names
  std::function<Result<StorePtr>(const std::string& dir)> open;
};

std::string storeFactoryName(const ::testing::TestParamInfo<StoreFactory>& info);
// How GoogleTest prints a factory in failure messages: by name.
void PrintTo(const StoreFactory& factory, std::ostream* out);

// Collects a watch's events and errors from the backend's thread.
class EventCollector {
 public:
  EventCollector();
  // A sink that appends here; it stays safe to call after the collector is gone.
  WatchSink sink();
  // Waits until at least `count` events arrived, or `timeout` passed.
  std::vector<Event> waitForEvents(std::size_t count,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(10));
  std::optional<Error> waitForError(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  std::vector<Event> events();
  std::vector<std::vector<Event>> batches();
  std::size_t callbacks();

 private:
  struct State {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<std::vector<Event>> batches;
    std::vector<Event> events;
    std::optional<Error> error;
    std::size_t callbacks = 0;
  };
  std::shared_ptr<State> state_;
};

class StoreConformance : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override;
  void TearDown() override;

  Store& store() { return *store_; }
  const std::string& dir() const { return dir_; }

  // Runs one operation to completion on this test's io_context.
  template <class T>
  T await(boost::asio::awaitable<T> operation) {
    std::optional<T> out;
    boost::asio::co_spawn(
        io_,
        [&]() -> boost::asio::awaitable<void> { out.emplace(co_await std::move(operation)); },
        boost::asio::detached);
    io_.restart();
    io_.run();
    KCPP_CHECK(out.has_value(), "awaited operation did not complete");
    return std::move(*out);
  }

  // Shorthands that fail the test on an error.
  KeyValue mustCreate(const std::string& key, const std::string& value);
  KeyValue mustUpdate(const std::string& key, const std::string& value, Revision expected);
  KeyValue mustRemove(const std::string& key, Revision expected);
  Revision mustCurrent();
  RangeResult mustRange(RangeRequest request);

  boost::asio::io_context io_;

 private:
  std::string dir_;
  StorePtr store_;
};

}  // namespace kcpp::storage::conformance

// Use at namespace scope (outside any namespace).
#define KCPP_STORE_CONFORMANCE(Name, factory)                                            \
  namespace kcpp::storage::conformance {                                                 \
  INSTANTIATE_TEST_SUITE_P(Name, StoreConformance, ::testing::Values(factory), storeFactoryName); \
  }
