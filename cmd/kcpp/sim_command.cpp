#include "sim_command.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <functional>
#include <memory>

#include <boost/asio/this_coro.hpp>

#include "api/meta/object.h"
#include "client/certbootstrap/cert_bootstrap.h"
#include "client/rest/rest_client.h"
#include "pki/kubeconfig.h"
#include "sim/hollow_nodes.h"

namespace kcpp::cmd {

namespace asio = boost::asio;

namespace {

const char* kSimHelp =
    "Run simulated (hollow) nodes against an API server, as KWOK or kubemark: each\n"
    "registers a Node, renews its Lease in kube-node-lease and posts its status like\n"
    "a kubelet, and reports the pods bound to it ContainerCreating, then Running and\n"
    "Ready, without containers. Pod annotations script a pod's life:\n"
    "  sim.kcpp.io/run-duration: 5s   the container exits after 5s (restartPolicy\n"
    "                                 Never/OnFailure: the pod ends Succeeded/Failed)\n"
    "  sim.kcpp.io/exit-code: 1       the exit code (default 0)\n"
    "Node annotation sim.kcpp.io/heartbeat=stopped silences that node (no lease, no\n"
    "status, no pod updates) as if cut off, until the annotation is removed:\n"
    "  kubectl annotate node sim-0 sim.kcpp.io/heartbeat=stopped\n"
    "  kubectl annotate node sim-0 sim.kcpp.io/heartbeat-";

struct Durations {
  sim::HollowNodesOptions options;
  std::chrono::milliseconds statsInterval{10000};
};

bool parseInto(const std::string& flag, const std::string& text, std::chrono::milliseconds& out) {
  auto parsed = sim::parseDuration(text);
  if (!parsed) {
    spdlog::error("{}: invalid duration \"{}\" (e.g. 10s, 500ms, 5m)", flag, text);
    return false;
  }
  out = *parsed;
  return true;
}

std::optional<Durations> optionsFrom(const SimConfig& c) {
  Durations d;
  sim::HollowNodesOptions& o = d.options;
  if (c.nodes < 0 || c.nodes > 30000) {
    spdlog::error("--nodes: {} is out of range [0, 30000]", c.nodes);
    return std::nullopt;
  }
  o.nodes = c.nodes;
  o.namePrefix = c.namePrefix;
  o.node.cpu = c.cpu;
  o.node.memory = c.memory;
  o.node.pods = c.pods;
  o.node.ephemeralStorage = c.ephemeralStorage;
  std::string error;
  auto labels = sim::parseLabels(c.labels, error);
  if (!labels) {
    spdlog::error("--labels: {}", error);
    return std::nullopt;
  }
  o.node.labels = std::move(*labels);
  auto taints = sim::parseTaints(c.taints, error);
  if (!taints) {
    spdlog::error("--taints: {}", error);
    return std::nullopt;
  }
  o.node.taints = std::move(*taints);
  o.leaseDurationSeconds = c.leaseDurationSeconds;
  o.nodeWorkers = std::max(1, c.nodeWorkers);
  o.podWorkers = std::max(1, c.podWorkers);
  if (!parseInto("--node-lease-renew-interval", c.leaseRenewInterval, o.leaseRenewInterval) ||
      !parseInto("--node-status-update-frequency", c.statusUpdateFrequency, o.statusUpdateFrequency) ||
      !parseInto("--node-status-report-frequency", c.statusReportFrequency, o.statusReportFrequency) ||
      !parseInto("--pod-start-delay", c.podStartDelay, o.podStartDelay) ||
      !parseInto("--stats-interval", c.statsInterval, d.statsInterval)) {
    return std::nullopt;
  }
  if (!c.maxPodGracePeriod.empty()) {
    std::chrono::milliseconds cap{};
    if (!parseInto("--max-pod-grace-period", c.maxPodGracePeriod, cap)) return std::nullopt;
    o.maxGracePeriod = cap;
  }
  if (o.leaseRenewInterval <= std::chrono::milliseconds(0) || o.statusUpdateFrequency <= std::chrono::milliseconds(0)) {
    spdlog::error("--node-lease-renew-interval and --node-status-update-frequency must be positive");
    return std::nullopt;
  }
  return d;
}

// Logs the counters every `interval`: progress, and figures for benchmarks.
asio::awaitable<void> logStats(sim::HollowNodes& nodes, std::chrono::milliseconds interval) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  sim::HollowNodesStats last = nodes.stats();
  while (true) {
    timer.expires_after(interval);
    co_await timer.async_wait(asio::use_awaitable);
    sim::HollowNodesStats now = nodes.stats();
    double seconds = std::chrono::duration<double>(interval).count();
    spdlog::info("sim stats: nodes registered {}, pods {}, lease renewals {} ({:.1f}/s), node status posts {}, "
                 "pod status posts {} ({:.1f}/s), pod deletions {}",
                 now.registered, now.pods, now.leaseRenewals,
                 static_cast<double>(now.leaseRenewals - last.leaseRenewals) / seconds, now.nodeStatusPosts,
                 now.podStatusPosts, static_cast<double>(now.podStatusPosts - last.podStatusPosts) / seconds,
                 now.podDeletions);
    last = now;
  }
}

}  // namespace

CLI::App* addSimCommand(CLI::App& app, SimConfig& c) {
  CLI::App* cmd = app.add_subcommand("sim", "Run simulated (hollow) nodes against an API server");
  cmd->footer(kSimHelp);
  auto* kubeconfig = cmd->add_option("--kubeconfig", c.kubeconfig, "kubeconfig of the API server");
  auto* server = cmd->add_option("--server", c.server,
                                 "API server URL to join with --token (each node gets its own client "
                                 "certificate through the CSR API)");
  auto* token = cmd->add_option("--token", c.token, "The server's join token (K10 format pins its CA)");
  server->needs(token);
  token->needs(server);
  kubeconfig->excludes(server);
  cmd->add_option("--nodes", c.nodes, "How many nodes to simulate")->capture_default_str();
  cmd->add_option("--name-prefix", c.namePrefix, "Node names are <prefix><index>")->capture_default_str();
  cmd->add_option("--cpu", c.cpu, "Capacity and allocatable cpu of each node")->capture_default_str();
  cmd->add_option("--memory", c.memory, "Capacity and allocatable memory")->capture_default_str();
  cmd->add_option("--pods", c.pods, "Capacity and allocatable pods")->capture_default_str();
  cmd->add_option("--ephemeral-storage", c.ephemeralStorage, "Capacity and allocatable ephemeral-storage")
      ->capture_default_str();
  cmd->add_option("--labels,--node-labels", c.labels, "Extra node labels: k=v,k2=v2");
  cmd->add_option("--taints,--register-with-taints", c.taints, "Taints at registration: k=v:NoSchedule,...");
  cmd->add_option("--kube-api-qps", c.kubeApiQps, "Requests per second to the API server")->capture_default_str();
  cmd->add_option("--kube-api-burst", c.kubeApiBurst, "Burst of requests")->capture_default_str();
  cmd->add_option("--node-lease-duration-seconds", c.leaseDurationSeconds, "Lease duration")->capture_default_str();
  cmd->add_option("--node-lease-renew-interval", c.leaseRenewInterval, "How often each lease is renewed")
      ->capture_default_str();
  cmd->add_option("--node-status-update-frequency", c.statusUpdateFrequency,
                  "How often each node checks whether its status must be posted")->capture_default_str();
  cmd->add_option("--node-status-report-frequency", c.statusReportFrequency,
                  "How often an unchanged status is posted anyway")->capture_default_str();
  cmd->add_option("--pod-start-delay", c.podStartDelay, "How long a pod shows ContainerCreating")
      ->capture_default_str();
  cmd->add_option("--max-pod-grace-period", c.maxPodGracePeriod,
                  "Cap on a deleted pod's grace period (default: honour it)");
  cmd->add_option("--node-workers", c.nodeWorkers, "Concurrent node writes")->capture_default_str();
  cmd->add_option("--pod-workers", c.podWorkers, "Concurrent pod writes")->capture_default_str();
  cmd->add_option("--stats-interval", c.statsInterval, "How often counters are logged")->capture_default_str();
  cmd->add_option("-v,--v", c.verbosity, "Log verbosity")->capture_default_str();
  return cmd;
}

namespace {

// Node TLS bootstrap for every hollow node, then each runs with its own
// credential (system:node:<name>), as the Node authorizer wants: the cluster
// CA is read with the token over an unverified connection and must match the
// K10 token's hash; each node's CSR is auto-approved by csrapproving and
// issued by csrsigning.
asio::awaitable<Result<void>> joinAndRun(const SimConfig& config, const Durations& driver,
                                         std::vector<client::RestClientPtr>& clients,
                                         std::vector<std::unique_ptr<sim::HollowNodes>>& nodes) {
  auto executor = co_await asio::this_coro::executor;
  pki::Kubeconfig unverified;
  unverified.server = config.server;
  unverified.token = config.token;
  unverified.insecureSkipTlsVerify = true;
  auto discovery = client::RestClient::create(executor, unverified, client::ClientOptions{});
  if (!discovery) co_return std::move(discovery).error();
  client::ResourcePath rootCa{"", "v1", "configmaps", "kube-public", "kube-root-ca.crt", "", ""};
  auto configMap = co_await (*discovery)->get(rootCa);
  if (!configMap) {
    Error e = std::move(configMap).error();
    e.message = "reading the cluster CA with the token: " + e.message;
    co_return e;
  }
  const boost::json::object* data = api::findObject(*configMap, "data");
  const boost::json::value* caPem = data ? data->if_contains("ca.crt") : nullptr;
  if (!caPem || !caPem->is_string()) co_return makeError(Reason::InternalError, "kube-root-ca.crt holds no ca.crt");
  std::string ca(caPem->get_string());
  if (auto ok = client::certbootstrap::verifyCaHash(ca, config.token); !ok) co_return std::move(ok).error();
  if (!config.token.starts_with("K10")) spdlog::warn("bare token: the server's CA is trusted without a hash check");
  pki::Kubeconfig bootstrap;
  bootstrap.server = config.server;
  bootstrap.certificateAuthorityPem = ca;
  bootstrap.token = config.token;
  auto bootstrapClient = client::RestClient::create(executor, bootstrap, client::ClientOptions{});
  if (!bootstrapClient) co_return std::move(bootstrapClient).error();
  for (int i = 0; i < config.nodes; ++i) {
    std::string name = config.namePrefix + std::to_string(i);
    auto creds = co_await client::certbootstrap::requestNodeCredentials(**bootstrapClient, name,
                                                                       std::chrono::minutes(5));
    if (!creds) co_return std::move(creds).error();
    spdlog::info("node {}: client certificate from {}", name, creds->csrName);
    pki::Kubeconfig own;
    own.server = config.server;
    own.certificateAuthorityPem = ca;
    own.clientCertificatePem = creds->certificatePem;
    own.clientKeyPem = creds->keyPem;
    client::ClientOptions clientOptions;
    clientOptions.userAgent = "kcpp-sim";
    clientOptions.qps = config.kubeApiQps;
    clientOptions.burst = config.kubeApiBurst;
    auto nodeClient = client::RestClient::create(executor, own, clientOptions);
    if (!nodeClient) co_return std::move(nodeClient).error();
    sim::HollowNodesOptions options = driver.options;
    options.nodes = 1;
    options.firstIndex = i;
    options.ownPodsOnly = true;
    clients.push_back(std::move(*nodeClient));
    nodes.push_back(std::make_unique<sim::HollowNodes>(*clients.back(), executor, options));
    asio::co_spawn(executor, nodes.back()->run(), asio::detached);
  }
  co_return Result<void>{};
}

int runJoinedSim(const SimConfig& config, const Durations& driver) {
  asio::io_context io;
  std::vector<client::RestClientPtr> clients;
  std::vector<std::unique_ptr<sim::HollowNodes>> nodes;
  int rc = 0;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    auto joined = co_await joinAndRun(config, driver, clients, nodes);
    if (!joined) {
      spdlog::error("sim: joining {} failed: {}", config.server, joined.error().message);
      rc = 1;
      io.stop();
    }
  }, asio::detached);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (ec) return;
    spdlog::info("received signal {}, shutting down", signal);
    for (auto& n : nodes) n->stop();
    io.stop();
  });
  io.run();
  spdlog::shutdown();
  std::fflush(nullptr);
  std::_Exit(rc);
}

}  // namespace

int runSim(const SimConfig& config) {
  spdlog::set_pattern("%L%m%d %H:%M:%S.%f %t %v");
  spdlog::set_level(config.verbosity >= 2 ? spdlog::level::debug : spdlog::level::info);
  auto options = optionsFrom(config);
  if (!options) return 1;
  if (!config.server.empty()) return runJoinedSim(config, *options);
  if (config.kubeconfig.empty()) {
    spdlog::error("sim: --kubeconfig, or --server with --token, is required");
    return 1;
  }
  auto kubeconfig = pki::readKubeconfig(config.kubeconfig);
  if (!kubeconfig) {
    spdlog::error("kubeconfig: {}", kubeconfig.error().message);
    return 1;
  }
  asio::io_context io;
  client::ClientOptions clientOptions;
  clientOptions.userAgent = "kcpp-sim";
  clientOptions.qps = config.kubeApiQps;
  clientOptions.burst = config.kubeApiBurst;
  // One connection per worker stays open: no TLS handshake per request.
  clientOptions.maxIdleConnections = static_cast<std::size_t>(options->options.nodeWorkers + options->options.podWorkers);
  auto restClient = client::RestClient::create(io.get_executor(), *kubeconfig, clientOptions);
  if (!restClient) {
    spdlog::error("client: {}", restClient.error().message);
    return 1;
  }
  auto nodes = std::make_unique<sim::HollowNodes>(**restClient, io.get_executor(), options->options);
  spdlog::info("simulating {} nodes {}0..{}{}", config.nodes, config.namePrefix, config.namePrefix,
               config.nodes - 1);
  asio::co_spawn(io, nodes->run(), asio::detached);
  asio::co_spawn(io, logStats(*nodes, options->statsInterval), asio::detached);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (ec) return;
    spdlog::info("received signal {}, shutting down", signal);
    nodes->stop();
    io.stop();
  });
  io.run();
  spdlog::shutdown();
  std::fflush(nullptr);
  // As the other commands: suspended coroutines hold our objects; do not tear down.
  std::_Exit(0);
}

}  // namespace kcpp::cmd
