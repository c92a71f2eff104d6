#pragma once
// ControllerManager: the controllers of upstream's kube-controller-manager in one
// process (or one thread of `kcpp server`), talking to the API server only
// through a kubeconfig. Leader election on the kube-system/kube-controller-manager
// Lease keeps one active instance; with --use-service-account-credentials each
// controller writes as its own kube-system ServiceAccount while the shared
// informers read as the manager.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <vector>

#include "client/clientbuilder/service_account_client_builder.h"
#include "client/informer/informer_factory.h"
#include "client/leaderelection/leader_elector.h"
#include "client/rest/rest_client.h"
#include "controller_manager_command.h"
#include "controllers/common/controller.h"
#include "leader_election.h"
#include "embedding.h"
#include "pki/kubeconfig.h"

namespace kcpp::cmd {

// What a controller is built from: the client it writes with, the shared
// informers, the executor it runs on, and the flags.
struct ControllerContext {
  client::RestClient& client;
  client::InformerFactory& informers;
  boost::asio::any_io_executor executor;
  const ControllerManagerConfig& config;
};

// One row per controller, as upstream's NewControllerDescriptors: its name for
// --controllers, how it is built, and the kube-system ServiceAccount it acts as
// under --use-service-account-credentials (none: the manager's own identity).
struct ControllerEntry {
  const char* name;
  std::function<controllers::ControllerPtr(const ControllerContext&)> make;
  const char* serviceAccount = nullptr;
};

// The table (controller_manager_command.cpp, beside the flags the rows read).
const std::vector<ControllerEntry>& controllerTable();

class ControllerManager {
 public:
  // `transport`: how its clients reach the API server (unset: HTTPS to the
  // kubeconfig's server; `kcpp server` hands its embedded one a loopback transport).
  ControllerManager(ControllerManagerConfig config, pki::Kubeconfig kubeconfig,
                    Embedding embedding = {});

  // Checks --controllers and builds the client; the message says what is wrong.
  Result<void> init();
  // Runs until requestStop() or a lost lease; the process exit code.
  int run();
  // Thread-safe: stops the controllers and releases the lease; run() returns soon after.
  void requestStop();

 private:
  void startControllers();
  boost::asio::awaitable<void> startController(const ControllerEntry& entry);
  boost::asio::awaitable<client::RestClient*> clientFor(const ControllerEntry& entry);
  void startLeaderElection();

  ControllerManagerConfig config_;
  pki::Kubeconfig kubeconfig_;
  Embedding embedding_;
  boost::asio::io_context io_;
  client::RestClientPtr client_;
  std::unique_ptr<client::InformerFactory> informers_;
  std::unique_ptr<client::ServiceAccountClientBuilder> serviceAccountClients_;
  std::vector<controllers::ControllerPtr> running_;
  std::unique_ptr<client::LeaderElector> elector_;
  Leadership leadership_;
  bool stopping_ = false;
};

}  // namespace kcpp::cmd
