#pragma once
// What every controller of `kcpp controller-manager` is, and the worker loop they
// share (upstream's controller shape: handlers only enqueue keys; run() waits
// for the informers, then `workers` coroutines take keys from the queue and
// sync them one at a time, retrying failures with the queue's backoff).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "client/informer/informer_factory.h"
#include "client/workqueue/work_queue.h"
#include "util/error.h"

namespace kcpp::controllers {

class Controller {
 public:
  virtual ~Controller() = default;
  // Waits for the informers, then reconciles until stop().
  virtual boost::asio::awaitable<void> run() = 0;
  // Shuts the work queue(s) down; run() returns once the workers have finished.
  virtual void stop() = 0;
};
using ControllerPtr = std::unique_ptr<Controller>;

using SyncFunc = std::function<boost::asio::awaitable<Result<void>>(const std::string& key)>;

// Starts the informers and waits (up to 5 minutes) until they have listed;
// false (logged with `name`) if they did not.
boost::asio::awaitable<bool> waitForCaches(client::InformerFactory& informers,
                                           boost::asio::any_io_executor executor,
                                           const std::string& name);

// Runs `workers` workers over `queue` until it shuts down: each takes a key,
// syncs it, forgets its backoff on success and re-adds it rate-limited on
// failure (logged at debug level with `name`). Returns when all have ended.
boost::asio::awaitable<void> runWorkers(client::WorkQueue& queue, int workers, SyncFunc sync,
                                        const std::string& name);

}  // namespace kcpp::controllers
