#pragma once
// Compactor: keeps a Store's history bounded, as upstream's apiserver does
// (storage/etcd3 compactor): every `interval` it compacts to the revision it
// observed one interval earlier, so watchers and paged lists get at least one
// interval of history (upstream: 5 minutes) before their revision expires.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>

#include "storage/store.h"
#include "util/error.h"

namespace kcpp::storage {

class Compactor {
 public:
  // `store` must outlive the Compactor and its loop on `executor`.
  Compactor(Store& store, boost::asio::any_io_executor executor,
            std::chrono::steady_clock::duration interval = std::chrono::minutes(5));
  // Stops the loop: no compaction starts after this returns.
  ~Compactor();
  Compactor(const Compactor&) = delete;
  Compactor& operator=(const Compactor&) = delete;

  // Runs tick() every interval on the executor until stopped.
  void start();
  void stop();

  // One round: compacts to the revision the previous round saw (if any), then
  // remembers the current revision for the next round.
  boost::asio::awaitable<Result<void>> tick();

 private:
  struct State;
  std::shared_ptr<State> state_;
};
using CompactorPtr = std::unique_ptr<Compactor>;

}  // namespace kcpp::storage
