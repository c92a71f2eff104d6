#pragma once
// The TTL-after-finished controller (upstream pkg/controller/ttlafterfinished):
// a finished Job (Complete or Failed) with spec.ttlSecondsAfterFinished is
// deleted once that many seconds have passed since it finished (the condition's
// lastTransitionTime). Before deleting, it reads the Job afresh from the API
// server, in case the TTL was changed, and deletes with upstream's options:
// foreground propagation (the Job goes once the garbage collector has removed
// its pods) and a precondition on the uid.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>

#include "client/informer/informer_factory.h"
#include "client/rest/rest_client.h"
#include "client/workqueue/work_queue.h"
#include "controllers/common/clock.h"
#include "controllers/common/controller.h"

namespace kcpp::controllers {

struct TtlAfterFinishedOptions {
  int workers = 5;  // upstream's --concurrent-ttl-after-finished-syncs
  ClockPtr clock = realClock();
};

// When a Job's TTL expires: nullopt if it has no TTL or has not finished.
std::optional<Clock::TimePoint> jobExpiresAt(const boost::json::object& job);

class TtlAfterFinishedController : public Controller {
 public:
  TtlAfterFinishedController(client::RestClient& client, client::InformerFactory& informers,
                             boost::asio::any_io_executor executor, TtlAfterFinishedOptions options = {});

  boost::asio::awaitable<void> run() override;
  void stop() override { queue_.shutDown(); }

 private:
  void enqueueIfNeeded(const boost::json::object& job);
  boost::asio::awaitable<Result<void>> sync(const std::string& key);
  // Re-queues the key for when the TTL ends; true when it has ended.
  bool expired(const std::string& key, const boost::json::object& job);

  client::RestClient& client_;
  client::Informer& jobs_;
  client::InformerFactory& informers_;
  boost::asio::any_io_executor executor_;
  TtlAfterFinishedOptions options_;
  client::WorkQueue queue_;
};

}  // namespace kcpp::controllers
