#pragma once
// Empties a Terminating namespace (upstream's namespacedResourcesDeleter):
// deletes every object of every namespaced resource discovery lists (a
// deletecollection where served, else list and delete), reports progress in
// the namespace's status conditions with upstream's types, reasons and
// messages, and once nothing is left removes the "kubernetes" finalizer through
// namespaces/NAME/finalize, which removes the namespace.

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "client/discovery/discovery.h"
#include "client/rest/rest_client.h"

namespace kcpp::controllers {

namespace json = boost::json;

// What is left in a namespace after one pass (upstream's allGVRDeletionMetadata).
struct ContentRemaining {
  std::map<std::string, int> byResource;   // "pods." / "deployments.apps" → count
  std::map<std::string, int> byFinalizer;  // finalizer → objects holding it
};

// The namespace conditions the deleter maintains, from one pass's outcome.
// `existing` is the namespace's status.conditions; returns the new list.
struct DeletionOutcome {
  std::string discoveryError;     // empty: every group discovered
  std::vector<std::string> contentErrors;
  ContentRemaining remaining;
};
json::array namespaceConditions(const json::array& existing, const DeletionOutcome& outcome,
                                const std::string& now);

class NamespacedResourcesDeleter {
 public:
  static constexpr const char* kFinalizerToken = "kubernetes";
  // Upstream's finalizerEstimateSeconds: the wait for objects held by finalizers.
  static constexpr std::int64_t kFinalizerEstimateSeconds = 15;

  explicit NamespacedResourcesDeleter(client::RestClient& client) : client_(client) {}

  // One pass over namespace `name`: 0 when it is finalized (or gone, or not
  // being deleted), else the seconds to wait before the next pass.
  boost::asio::awaitable<Result<std::int64_t>> deleteNamespace(const std::string& name);

 private:
  struct ResourceOutcome {
    std::int64_t estimate = 0;
    int remaining = 0;
    std::map<std::string, int> byFinalizer;
  };
  boost::asio::awaitable<Result<std::int64_t>> deleteAllContent(const json::object& ns);
  boost::asio::awaitable<Result<ResourceOutcome>> deleteContentOf(
      const client::ApiResource& resource, const std::string& ns,
      std::chrono::system_clock::time_point deletedAt);
  boost::asio::awaitable<Result<std::int64_t>> estimateForPods(
      const std::string& ns, std::chrono::system_clock::time_point deletedAt);
  boost::asio::awaitable<Result<void>> updateConditions(const std::string& name,
                                                        const DeletionOutcome& outcome);
  boost::asio::awaitable<Result<json::object>> markTerminating(json::object ns);
  boost::asio::awaitable<Result<void>> finalize(json::object ns);

  client::RestClient& client_;
};

}  // namespace kcpp::controllers
