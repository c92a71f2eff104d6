#include "storage/compactor/compactor.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>

namespace kcpp::storage {

namespace asio = boost::asio;

// Shared with the loop coroutine, so that the loop can outlive the Compactor
// object by one wake-up and then see `stopped`.
struct Compactor::State {
  State(Store& s, asio::any_io_executor ex, std::chrono::steady_clock::duration i)
      : store(s), executor(ex), interval(i), timer(ex) {}
  Store& store;
  asio::any_io_executor executor;
  std::chrono::steady_clock::duration interval;
  asio::steady_timer timer;  // used on `executor` only
  std::atomic<bool> stopped{false};
  Revision previous = 0;  // the revision seen by the last round
};

namespace {

asio::awaitable<Result<void>> runTick(Store& store, Revision& previous) {
  auto current = co_await store.currentRevision();
  if (!current) co_return std::move(current).error();
  if (previous > 0) {
    auto compacted = co_await store.compact(previous);
    if (!compacted) co_return compacted;
  }
  previous = *current;
  co_return Result<void>();
}

}  // namespace

Compactor::Compactor(Store& store, asio::any_io_executor executor,
                     std::chrono::steady_clock::duration interval)
    : state_(std::make_shared<State>(store, std::move(executor), interval)) {}

Compactor::~Compactor() { stop(); }

asio::awaitable<Result<void>> Compactor::tick() { return runTick(state_->store, state_->previous); }

void Compactor::start() {
  asio::co_spawn(
      state_->executor,
      [state = state_]() -> asio::awaitable<void> {
        while (!state->stopped) {
          // A failed round (store closing, say) is retried at the next interval.
          (void)co_await runTick(state->store, state->previous);
          if (state->stopped) break;
          state->timer.expires_after(state->interval);
          co_await state->timer.async_wait(asio::as_tuple(asio::use_awaitable));
        }
      },
      asio::detached);
}

void Compactor::stop() {
  if (state_->stopped.exchange(true)) return;
  // The timer belongs to the executor's thread: cancel it there.
  asio::post(state_->executor, [state = state_] { state->timer.cancel(); });
}

}  // namespace kcpp::storage
