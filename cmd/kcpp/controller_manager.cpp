#include "controller_manager.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "util/sleep.h"

namespace kcpp::cmd {

namespace asio = boost::asio;

namespace {

// Upstream's --controllers: "*" is every default one, "foo" enables, "-foo" disables.
bool enabled(const std::vector<std::string>& flags, const std::string& name) {
  if (std::find(flags.begin(), flags.end(), "-" + name) != flags.end()) return false;
  return std::find(flags.begin(), flags.end(), name) != flags.end() ||
         std::find(flags.begin(), flags.end(), "*") != flags.end();
}

}  // namespace

ControllerManager::ControllerManager(ControllerManagerConfig config, pki::Kubeconfig kubeconfig,
                                     Embedding embedding)
    : config_(std::move(config)), kubeconfig_(std::move(kubeconfig)), embedding_(std::move(embedding)) {}

Result<void> ControllerManager::init() {
  const auto& table = controllerTable();
  for (const std::string& name : config_.controllers) {
    std::string bare = name.starts_with("-") ? name.substr(1) : name;
    bool known = bare == "*" || std::any_of(table.begin(), table.end(),
                                            [&](const ControllerEntry& e) { return bare == e.name; });
    if (!known) {
      return makeError(Reason::BadRequest,
                       "--controllers: \"" + bare + "\" is not in the list of known controllers");
    }
  }
  client::ClientOptions options;
  options.userAgent = "kcpp-controller-manager";
  options.qps = config_.kubeApiQps;
  options.burst = config_.kubeApiBurst;
  // A ReplicaSet's slow-start batch sends up to 256 creates at once (burstReplicas 500);
  // with fewer idle connections kept, every batch reopened TLS connections and the
  // handshakes were half of the controller-manager's CPU when scaling to 10,000 pods.
  options.maxIdleConnections = 256;
  options.transport = embedding_.transport;
  auto restClient = client::RestClient::create(io_.get_executor(), kubeconfig_, options);
  if (!restClient) return makeError(Reason::BadRequest, "client: " + restClient.error().message);
  client_ = std::move(*restClient);
  informers_ = std::make_unique<client::InformerFactory>(*client_, embedding_.interner);
  serviceAccountClients_ =
      std::make_unique<client::ServiceAccountClientBuilder>(*client_, io_.get_executor(), options);
  return {};
}

asio::awaitable<client::RestClient*> ControllerManager::clientFor(const ControllerEntry& entry) {
  if (!config_.useServiceAccountCredentials || !entry.serviceAccount) co_return client_.get();
  // Upstream retries until the token arrives: without it the controller cannot act.
  std::string serviceAccount = entry.serviceAccount;
  while (!stopping_) {
    auto built = co_await serviceAccountClients_->clientFor(serviceAccount);
    if (built) co_return *built;
    spdlog::warn("credentials for {}: {}; retrying", serviceAccount, built.error().message);
    co_await sleepFor(std::chrono::seconds(1));
  }
  co_return nullptr;
}

asio::awaitable<void> ControllerManager::startController(const ControllerEntry& entry) {
  client::RestClient* client = co_await clientFor(entry);
  if (!client) co_return;  // stopping
  spdlog::info("starting controller {}", entry.name);
  ControllerContext context{*client, *informers_, io_.get_executor(), config_};
  controllers::ControllerPtr controller = entry.make(context);
  if (!controller) co_return;  // it said why
  // Start what it asked for at once: a controller that waits for the shared
  // informers to sync waits for all of them, including those of controllers
  // built after it.
  informers_->start(io_.get_executor());
  running_.push_back(std::move(controller));
  co_await running_.back()->run();
}

void ControllerManager::startControllers() {
  // Concurrently: each may first wait for its ServiceAccount's token.
  for (const ControllerEntry& e : controllerTable()) {
    if (enabled(config_.controllers, e.name)) asio::co_spawn(io_, startController(e), asio::detached);
  }
}

void ControllerManager::startLeaderElection() {
  LeaderElectionFlags flags{config_.leaseDurationSeconds, config_.renewDeadlineSeconds, config_.retryPeriodSeconds,
                            config_.leaderElectIdentity};
  elector_ = campaign(io_, *client_, "kube-controller-manager", flags, [this] { startControllers(); }, leadership_);
}

int ControllerManager::run() {
  if (config_.leaderElect) {
    startLeaderElection();
  } else {
    startControllers();
  }
  io_.run();
  return leadership_.exitCode;
}

void ControllerManager::requestStop() {
  asio::post(io_, [this] {
    stopping_ = true;
    leadership_.leading = false;  // a stop we asked for is not a lost election
    for (auto& c : running_) c->stop();
    informers_->stop();
    serviceAccountClients_->stop();
    if (elector_) elector_->stop();  // releases the lease, then run() ends
    // Leave time for the release, then end.
    auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::seconds(2));
    timer->async_wait([this, timer](boost::system::error_code) { io_.stop(); });
  });
}

}  // namespace kcpp::cmd
