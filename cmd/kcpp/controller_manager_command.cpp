#include "controller_manager_command.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <memory>

#include "api/meta/object.h"
#include "client/informer/informer_factory.h"
#include "client/leaderelection/leader_elector.h"
#include "client/rest/rest_client.h"
#include "controllers/replicaset/replica_set_controller.h"
#include "pki/kubeconfig.h"

namespace kcpp::cmd {

namespace asio = boost::asio;

namespace {

// What a running controller-manager holds.
struct ControllerManager {
  asio::io_context io;
  client::RestClientPtr client;
  std::unique_ptr<client::InformerFactory> informers;
  std::vector<controllers::ControllerPtr> running;
  std::unique_ptr<client::LeaderElector> elector;
  bool leading = false;
};

// What a controller is built from: the shared client and informers, the
// executor it runs on, and the flags.
struct ControllerContext {
  client::RestClient& client;
  client::InformerFactory& informers;
  asio::any_io_executor executor;
  const ControllerManagerConfig& config;
};

// One row per controller, as upstream's NewControllerDescriptors: its name for
// --controllers and how it is built.
struct ControllerEntry {
  const char* name;
  std::function<controllers::ControllerPtr(const ControllerContext&)> make;
};

controllers::ControllerPtr makeReplicated(const ControllerContext& c, controllers::ReplicatedKind kind,
                                          int workers) {
  controllers::ReplicaSetControllerOptions options;
  options.workers = workers;
  return std::make_unique<controllers::ReplicaSetController>(std::move(kind), c.client, c.informers,
                                                             c.executor, options);
}

const std::vector<ControllerEntry>& controllerTable() {
  static const std::vector<ControllerEntry> table = {
      {"replicaset",
       [](const ControllerContext& c) {
         return makeReplicated(c, controllers::ReplicatedKind::replicaSets(),
                               c.config.concurrentReplicaSetSyncs);
       }},
      {"replicationcontroller",
       [](const ControllerContext& c) {
         return makeReplicated(c, controllers::ReplicatedKind::replicationControllers(),
                               c.config.concurrentRcSyncs);
       }},
  };
  return table;
}

// Upstream's --controllers: "*" is every default one, "foo" enables, "-foo" disables.
bool enabled(const std::vector<std::string>& flags, const std::string& name) {
  if (std::find(flags.begin(), flags.end(), "-" + name) != flags.end()) return false;
  return std::find(flags.begin(), flags.end(), name) != flags.end() ||
         std::find(flags.begin(), flags.end(), "*") != flags.end();
}

void startControllers(ControllerManager& m, const ControllerManagerConfig& config) {
  ControllerContext context{*m.client, *m.informers, m.io.get_executor(), config};
  for (const ControllerEntry& e : controllerTable()) {
    if (!enabled(config.controllers, e.name)) continue;
    spdlog::info("starting controller {}", e.name);
    m.running.push_back(e.make(context));
    asio::co_spawn(m.io, m.running.back()->run(), asio::detached);
  }
  m.informers->start(m.io.get_executor());
}

std::string candidateIdentity() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return std::string(host) + "_" + api::newUid();
}

std::chrono::milliseconds millis(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
}

}  // namespace

CLI::App* addControllerManagerCommand(CLI::App& app, ControllerManagerConfig& c) {
  CLI::App* cmd = app.add_subcommand("controller-manager", "Run the controllers against an API server");
  cmd->add_option("--kubeconfig", c.kubeconfig, "kubeconfig of the API server to manage")->required();
  cmd->add_flag("--leader-elect,!--no-leader-elect", c.leaderElect,
                "Take the kube-system/kube-controller-manager Lease before running")
      ->capture_default_str();
  cmd->add_option("--leader-elect-lease-duration", c.leaseDurationSeconds, "Seconds")->capture_default_str();
  cmd->add_option("--leader-elect-renew-deadline", c.renewDeadlineSeconds, "Seconds")->capture_default_str();
  cmd->add_option("--leader-elect-retry-period", c.retryPeriodSeconds, "Seconds")->capture_default_str();
  cmd->add_option("--controllers", c.controllers,
                  "Controllers to run: '*' for all, 'name' to enable, '-name' to disable")
      ->delimiter(',')->capture_default_str();
  cmd->add_option("--concurrent-replicaset-syncs", c.concurrentReplicaSetSyncs)->capture_default_str();
  cmd->add_option("--concurrent-rc-syncs", c.concurrentRcSyncs)->capture_default_str();
  cmd->add_option("-v,--v", c.verbosity, "Log verbosity")->capture_default_str();
  return cmd;
}

int runControllerManager(const ControllerManagerConfig& config) {
  spdlog::set_pattern("%L%m%d %H:%M:%S.%f %t %v");
  spdlog::set_level(config.verbosity >= 2 ? spdlog::level::debug : spdlog::level::info);
  for (const std::string& name : config.controllers) {
    std::string bare = name.starts_with("-") ? name.substr(1) : name;
    const auto& table = controllerTable();
    bool known = bare == "*" || std::any_of(table.begin(), table.end(),
                                            [&](const ControllerEntry& e) { return bare == e.name; });
    if (!known) {
      spdlog::error("--controllers: \"{}\" is not in the list of known controllers", bare);
      return 1;
    }
  }
  auto kubeconfig = pki::readKubeconfig(config.kubeconfig);
  if (!kubeconfig) {
    spdlog::error("kubeconfig: {}", kubeconfig.error().message);
    return 1;
  }
  ControllerManager m;
  client::ClientOptions clientOptions;
  clientOptions.userAgent = "kcpp-controller-manager";
  auto restClient = client::RestClient::create(m.io.get_executor(), *kubeconfig, clientOptions);
  if (!restClient) {
    spdlog::error("client: {}", restClient.error().message);
    return 1;
  }
  m.client = std::move(*restClient);
  m.informers = std::make_unique<client::InformerFactory>(*m.client);
  int exitCode = 0;
  if (config.leaderElect) {
    client::LeaderElectionConfig election;
    election.leaseName = "kube-controller-manager";
    election.identity = candidateIdentity();
    election.leaseDuration = millis(config.leaseDurationSeconds);
    election.renewDeadline = millis(config.renewDeadlineSeconds);
    election.retryPeriod = millis(config.retryPeriodSeconds);
    election.onStartedLeading = [&m, &config, identity = election.identity] {
      spdlog::info("became leader ({}), starting controllers", identity);
      m.leading = true;
      startControllers(m, config);
    };
    // Upstream exits when it loses the lease: the controllers' caches and
    // expectations are not trusted past that point.
    election.onStoppedLeading = [&m, &exitCode] {
      if (!m.leading) return;
      spdlog::error("leader election lost");
      exitCode = 1;
      m.io.stop();
    };
    m.elector = std::make_unique<client::LeaderElector>(*m.client, election);
    asio::co_spawn(m.io, m.elector->run(), asio::detached);
  } else {
    startControllers(m, config);
  }
  asio::signal_set signals(m.io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (ec) return;
    spdlog::info("received signal {}, shutting down", signal);
    m.leading = false;  // a stop we asked for is not a lost election
    for (auto& c : m.running) c->stop();
    m.informers->stop();
    if (m.elector) {
      m.elector->stop();  // releases the lease, then run() ends
    }
    // Leave time for the release, then end.
    auto timer = std::make_shared<asio::steady_timer>(m.io, std::chrono::seconds(2));
    timer->async_wait([&m, timer](boost::system::error_code) { m.io.stop(); });
  });
  m.io.run();
  spdlog::shutdown();
  std::fflush(nullptr);
  // As `kcpp server`: suspended coroutines hold objects of `m`; do not tear down.
  std::_Exit(exitCode);
}

}  // namespace kcpp::cmd
