#pragma once
// The pod garbage collector (upstream pkg/controller/podgc). Every
// gcCheckPeriod (20 s) it force-deletes (grace 0, after marking the pod Failed):
//   - the oldest terminated (Succeeded/Failed) pods beyond
//     --terminated-pod-gc-threshold (evicted pods first); 0 disables this;
//   - terminating pods on a node that is not Ready and has the
//     node.kubernetes.io/out-of-service taint;
//   - pods bound to a node that does not exist, once the node has been missing
//     from the cache for the quarantine time (40 s) and a GET confirms it is gone
//     (condition DisruptionTarget, reason DeletionByPodGC);
//   - terminating pods that were never scheduled.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/informer/informer_factory.h"
#include "client/rest/rest_client.h"
#include "controllers/common/controller.h"

namespace kcpp::controllers {

namespace json = boost::json;

struct PodGcOptions {
  int terminatedPodThreshold = 12500;
  std::chrono::milliseconds gcCheckPeriod{20000};
  std::chrono::milliseconds quarantineTime{40000};
};

class PodGcController : public Controller {
 public:
  PodGcController(client::RestClient& client, client::InformerFactory& informers,
                  boost::asio::any_io_executor executor, PodGcOptions options = {});

  boost::asio::awaitable<void> run() override;
  void stop() override;

  // One collection pass (run() calls it every gcCheckPeriod).
  boost::asio::awaitable<void> gc();

 private:
  boost::asio::awaitable<void> gcTerminated(const std::vector<client::ObjectPtr>& pods);
  boost::asio::awaitable<void> gcTerminating(const std::vector<client::ObjectPtr>& pods);
  boost::asio::awaitable<void> gcOrphaned(const std::vector<client::ObjectPtr>& pods);
  boost::asio::awaitable<void> gcUnscheduledTerminating(const std::vector<client::ObjectPtr>& pods);
  // Marks the pod Failed (with `condition`, if any) unless it is terminal, then deletes it with grace 0.
  boost::asio::awaitable<Result<void>> markFailedAndDelete(const json::object& pod,
                                                           std::optional<json::object> condition);

  client::RestClient& client_;
  client::InformerFactory& informers_;
  client::Informer& pods_;
  client::Informer& nodes_;
  boost::asio::any_io_executor executor_;
  PodGcOptions options_;
  // Nodes pods are bound to but the cache lacks, with when they were first missed.
  std::map<std::string, std::chrono::steady_clock::time_point> quarantine_;
  bool stopped_ = false;
  bool running_ = false;
  std::shared_ptr<boost::asio::steady_timer> timer_;
};

// Upstream's byEvictionAndCreationTimestamp: evicted pods first, then oldest, then by name.
bool deleteBefore(const json::object& a, const json::object& b);

}  // namespace kcpp::controllers
