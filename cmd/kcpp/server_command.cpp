#include "server_command.h"

#include <fstream>
#include <sstream>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <algorithm>
#include <thread>

#include "api/meta/object.h"
#include "api/schema/resource_type.h"
#include "api/schema/schema_set.h"
#include "apiserver/admission/rbacescalation/rbac_escalation.h"
#include "apiserver/authn/authenticator.h"
#include "apiserver/authn/bootstrap_token.h"
#include "apiserver/authn/join_token.h"
#include "apiserver/authn/service_account_token.h"
#include "apiserver/authn/token_file.h"
#include "apiserver/authn/token_cache.h"
#include "apiserver/authz/authorizer.h"
#include "apiserver/authz/node/node_authorizer.h"
#include "apiserver/authz/node/node_graph_source.h"
#include "apiserver/authz/rbac/rbac_source.h"
#include "apiserver/handlers/api_handler.h"
#include "apiserver/handlers/kubelet_connector.h"
#include "apiserver/openapi/openapi_documents.h"
#include "apiserver/registry/events/event_conversion.h"
#include "apiserver/registry/registry.h"
#include "apiserver/loopback/loopback_transport.h"
#include "apiserver/server/http_server.h"
#include "pki/atomic_file.h"
#include "pki/cluster_pki.h"
#include "controller_manager.h"
#include "kubelet_runner.h"
#include "scheduler_runner.h"
#include "pki/certificate.h"
#include "pki/tls_context.h"
#include "admission_plugins.h"
#include "object_rules.h"
#include "rbac_bootstrap.h"
#include "server_bootstrap.h"
#include "strategies.h"
#include "storage/compactor/compactor.h"
#include "storage/encryption/encryption_config.h"
#include "storage/encryption/reencrypt.h"
#include "storage/sqlite/sqlite_store.h"

namespace kcpp::cmd {

namespace asio = boost::asio;
namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

std::string defaultDataDir() {
  if (geteuid() == 0) return "/var/lib/kcpp";
  const char* home = std::getenv("HOME");
  return std::string(home ? home : ".") + "/.kcpp";
}

void setupLogging(int verbosity) {
  spdlog::set_pattern("%L%m%d %H:%M:%S.%f %t %v");
  spdlog::set_level(verbosity >= 4 ? spdlog::level::trace
                    : verbosity >= 2 ? spdlog::level::debug
                                     : spdlog::level::info);
}

// Everything the server owns, in construction order (destroyed in reverse).
struct Server {
  ServerConfig config;
  StrategyConfig strategyConfig;
  // Before `io`: requests still pending when io is destroyed write their last event.
  AuditLog auditLog;
  asio::io_context io;
  storage::StorePtr store;
  storage::TransformerPtr secretsTransformer;  // encryption at rest of secrets
  std::vector<apiserver::RegistryPtr> registries;
  std::unique_ptr<apiserver::admission::Chain> admission;
  apiserver::AuthenticatorPtr authenticator;
  apiserver::node::NodeGraph nodeGraph;  // read by the Node authorizer
  std::unique_ptr<apiserver::UnionAuthorizer> authorizer;
  apiserver::rbac::RbacAuthorizer* rbac = nullptr;  // owned by `authorizer`
  std::unique_ptr<api::SchemaSet> schemas;
  apiserver::OpenApiDocumentsPtr openApi;
  std::unique_ptr<asio::ssl::context> kubeletClientTls;           // the server's cert for kubelets
  std::unique_ptr<apiserver::KubeletConnector> kubeletConnector;  // read by `handler`
  std::unique_ptr<apiserver::ApiHandler> handler;
  std::unique_ptr<asio::ssl::context> tls;
  std::unique_ptr<apiserver::HttpServer> http;
  // What the embedded components share with the server (and each other).
  Embedding embedding;
  std::string serverCaPem;  // what kube-root-ca.crt publishes
  storage::CompactorPtr compactor;
  std::unique_ptr<ControllerManager> controllerManager;  // runs on a thread of its own
  std::unique_ptr<SchedulerRunner> scheduler;            // likewise
  std::unique_ptr<KubeletRunner> agent;                  // likewise
  std::atomic<bool> stopping{false};

  apiserver::Registry* registry(const std::string& group, const std::string& resource) {
    for (auto& r : registries) {
      if (r->type().group == group && r->type().resource == resource) return r.get();
    }
    return nullptr;
  }
};

// Upstream's chain for --authorization-mode=Node,RBAC: system:masters first,
// then the Node authorizer, then RBAC.
void buildAuthorizers(Server& s) {
  std::vector<apiserver::AuthorizerPtr> authorizers;
  authorizers.push_back(std::make_unique<apiserver::PrivilegedGroupAuthorizer>("system:masters"));
  json::array nodeRulesJson = nodeRules();
  json::value nodeRulesValue(std::move(nodeRulesJson));
  authorizers.push_back(std::make_unique<apiserver::node::NodeAuthorizer>(
      s.nodeGraph, apiserver::rbac::parseRules(&nodeRulesValue)));
  auto rbac = std::make_unique<apiserver::rbac::RbacAuthorizer>();
  s.rbac = rbac.get();
  authorizers.push_back(std::move(rbac));
  s.authorizer = std::make_unique<apiserver::UnionAuthorizer>(std::move(authorizers));
}

Result<void> buildRegistries(Server& s) {
  for (api::ResourceType& type : api::builtinResources()) {
    auto strategy = strategyFor(type.group, type.resource, s.strategyConfig);
    apiserver::ConversionPtr conversion;
    if (type.group == "events.k8s.io") conversion = std::make_shared<apiserver::EventsV1Conversion>();
    storage::TransformerPtr transformer;
    if (type.group.empty() && type.resource == "secrets") transformer = s.secretsTransformer;
    s.registries.push_back(std::make_unique<apiserver::Registry>(
        std::move(type), *s.store, std::move(strategy), std::move(conversion),
        std::move(transformer)));
  }
  AdmissionDeps deps;
  deps.registry = [&s](const std::string& group, const std::string& resource) {
    return s.registry(group, resource);
  };
  AdmissionFlags flags{s.config.enableAdmissionPlugins, s.config.disableAdmissionPlugins};
  auto plugins = buildAdmissionPlugins(flags, deps);
  if (!plugins) return std::move(plugins).error();
  // Always on and last, where upstream's RBAC storage checks (see the header).
  plugins->push_back(
      std::make_unique<apiserver::admission::RbacEscalationCheck>(*s.rbac, *s.authorizer));
  s.admission = std::make_unique<apiserver::admission::Chain>(std::move(*plugins));
  for (auto& r : s.registries) r->setAdmission(*s.admission);
  return {};
}

// The bootstrap policy, then the RBAC index: loaded before the server is ready,
// then kept current from the four watch caches.
asio::awaitable<Result<void>> startRbac(Server& s) {
  const std::string group = "rbac.authorization.k8s.io";
  RbacRegistries registries{*s.registry(group, "clusterroles"),
                            *s.registry(group, "clusterrolebindings"), *s.registry(group, "roles"),
                            *s.registry(group, "rolebindings")};
  if (auto ok = co_await ensureRbacBootstrapPolicy(registries); !ok) {
    co_return ok;
  }
  apiserver::Registry& clusterRoles = *s.registry(group, "clusterroles");
  if (auto ok = co_await aggregateClusterRoles(clusterRoles); !ok) co_return ok;
  asio::co_spawn(co_await asio::this_coro::executor,
                 runClusterRoleAggregation(clusterRoles, s.stopping), asio::detached);
  using apiserver::rbac::Kind;
  const std::pair<const char*, Kind> sources[] = {{"roles", Kind::Role},
                                                  {"clusterroles", Kind::ClusterRole},
                                                  {"rolebindings", Kind::RoleBinding},
                                                  {"clusterrolebindings", Kind::ClusterRoleBinding}};
  for (const auto& [resource, kind] : sources) {
    storage::WatchCache& cache = s.registry(group, resource)->cache();
    auto revision = co_await apiserver::rbac::loadFromCache(cache, kind, *s.rbac);
    if (!revision) co_return std::move(revision).error();
    asio::co_spawn(co_await asio::this_coro::executor,
                   apiserver::rbac::followCache(cache, kind, *s.rbac, *revision, s.stopping),
                   asio::detached);
  }
  co_return Result<void>{};
}

// The Node authorizer's graph: loaded before the server is ready, then kept
// current from the pods, PVC and PV watch caches.
asio::awaitable<Result<void>> startNodeGraph(Server& s) {
  using Source = apiserver::node::NodeGraph::Source;
  const std::pair<const char*, Source> sources[] = {{"pods", Source::Pods},
                                                    {"persistentvolumeclaims", Source::Pvcs},
                                                    {"persistentvolumes", Source::Pvs}};
  for (const auto& [resource, source] : sources) {
    apiserver::Registry* r = s.registry("", resource);
    if (!r) continue;
    auto revision = co_await apiserver::node::loadGraph(r->cache(), source, s.nodeGraph);
    if (!revision) co_return std::move(revision).error();
    asio::co_spawn(co_await asio::this_coro::executor,
                   apiserver::node::followGraph(r->cache(), source, s.nodeGraph, *revision,
                                                s.stopping),
                   asio::detached);
  }
  co_return Result<void>{};
}

asio::awaitable<Result<void>> startServing(Server& s, std::promise<Result<void>>& started) {
  auto t0 = std::chrono::steady_clock::now();
  if (s.secretsTransformer) {
    // Secrets written before encryption was on, or with an older key, are
    // rewritten with the current write key before the caches load.
    auto rewritten = co_await storage::reencryptPrefix(
        *s.store, s.registry("", "secrets")->type().storagePrefix(), *s.secretsTransformer);
    if (!rewritten) co_return std::move(rewritten).error();
    if (*rewritten > 0) spdlog::info("secrets encryption: rewrote {} secrets", *rewritten);
  }
  for (auto& r : s.registries) {
    if (auto ok = co_await r->start(); !ok) co_return ok;
  }
  auto first = firstIpOf(s.config.serviceCidr);
  if (!first) co_return std::move(first).error();
  BootstrapConfig boot{*first, s.config.httpsListenPort};
  if (auto ok = co_await ensureSystemObjects(*s.registry("", "namespaces"),
                                             *s.registry("", "services"), boot);
      !ok) {
    co_return ok;
  }
  if (auto ok = co_await ensureSystemPriorityClasses(
          *s.registry("scheduling.k8s.io", "priorityclasses"));
      !ok) {
    co_return ok;
  }
  if (auto ok = co_await ensureLocalPathStorageClass(*s.registry("storage.k8s.io", "storageclasses")); !ok) {
    co_return ok;
  }
  if (auto ok = co_await startRbac(s); !ok) co_return ok;
  if (auto ok = co_await startNodeGraph(s); !ok) co_return ok;
  s.handler->setReady(true);
  spdlog::debug("caches loaded and system objects ensured in {} ms",
                std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - t0).count());
  started.set_value({});
  co_return Result<void>{};
}

}  // namespace

CLI::App* addServerCommand(CLI::App& app, ServerConfig& c) {
  CLI::App* cmd = app.add_subcommand("server", "Run the API server, datastore and control plane");
  cmd->add_option("--data-dir,-d", c.dataDir,
                  "Folder to hold state (default /var/lib/kcpp as root, ~/.kcpp otherwise)");
  cmd->add_option("--bind-address", c.bindAddress, "Address to listen on")->capture_default_str();
  cmd->add_option("--https-listen-port", c.httpsListenPort, "HTTPS listen port")
      ->capture_default_str()->check(CLI::Range(0, 65535));
  cmd->add_option("--write-kubeconfig,-o", c.writeKubeconfig,
                  "Write the admin kubeconfig here (default <data-dir>/kubeconfig.yaml)");
  cmd->add_option("--service-cidr", c.serviceCidr, "IPv4 network for service IPs")
      ->capture_default_str();
  // k3s's flag; the embedded controller-manager allocates node pod CIDRs from it.
  cmd->add_option("--cluster-cidr", c.controllerManager.clusterCidr, "IPv4 network for pod IPs")
      ->capture_default_str();
  cmd->add_option("--service-node-port-range", c.serviceNodePortRange,
                  "Port range reserved for NodePort services")->capture_default_str();
  cmd->add_option("--cluster-domain", c.clusterDomain, "Cluster domain")->capture_default_str();
  cmd->add_flag("--disable-agent", c.disableAgent,
                "Do not run a local node agent (default true until kcpp's kubelet runs pods: "
                "--disable-agent=false runs it)")->capture_default_str();
  cmd->add_option("--node-name", c.agent.nodeName, "The local agent's Node name (default: the host name)");
  cmd->add_option("--node-ip", c.agent.nodeIp, "The local agent's InternalIP");
  cmd->add_option("--kubelet-port", c.agent.port, "The local agent's kubelet port")
      ->capture_default_str()->check(CLI::Range(1, 65535));
  cmd->add_option("--node-label", c.agent.nodeLabels, "A label for the local agent's Node (repeatable)");
  cmd->add_option("--node-taint", c.agent.registerWithTaints, "A taint for the local agent's Node (repeatable)");
  cmd->add_flag("--disable-controller-manager", c.disableControllerManager,
                "Do not run the controller-manager in the server");
  cmd->add_flag("--disable-scheduler", c.disableScheduler, "Do not run the scheduler in the server");
  cmd->add_option("--embedded-loopback", c.embeddedLoopback,
                  "The embedded controller-manager and scheduler reach the API in memory "
                  "(false: over HTTPS to the loopback address)")
      ->default_val(true);
  cmd->add_option("--kube-controller-manager-arg", c.controllerManagerArgs,
                  "A flag=value for the embedded controller-manager (repeatable)");
  cmd->add_option("-v,--v", c.verbosity, "Log verbosity")->capture_default_str();
  cmd->add_option("--compact-interval", c.compactIntervalSeconds,
                  "Seconds between datastore compactions")->capture_default_str()
      ->check(CLI::Range(1, 86400));
  cmd->add_flag("--secrets-encryption,!--no-secrets-encryption", c.secretsEncryption,
                "Encrypt secrets at rest (key in <data-dir>/server/cred/encryption-config.json)")
      ->capture_default_str();
  cmd->add_flag("--secrets-encryption-rotate", c.secretsEncryptionRotate,
                "Add a new secrets encryption key and re-encrypt every secret with it");
  cmd->add_option("--token-auth-file", c.tokenAuthFile,
                  "File of static bearer tokens: CSV rows token,user,uid,\"group1,group2\"");
  cmd->add_flag("--anonymous-auth,!--no-anonymous-auth", c.anonymousAuth,
                "Requests without credentials are the user system:anonymous (group "
                "system:unauthenticated); what they may do is up to RBAC")
      ->capture_default_str();
  cmd->add_option("--kubelet-certificate-authority", c.kubeletCertificateAuthority,
                  "CA file of kubelets' serving certificates (default: not verified)");
  cmd->add_option("--kubelet-timeout", c.kubeletTimeoutSeconds, "Seconds to dial a kubelet")
      ->capture_default_str();
  cmd->add_option("--token,-t", c.token,
                  "The server's join token (default: random, kept in <data-dir>/server/token)");
  cmd->add_option("--enable-admission-plugins", c.enableAdmissionPlugins,
                  "Admission plugins to enable besides the default ones")->delimiter(',');
  cmd->add_option("--disable-admission-plugins", c.disableAdmissionPlugins,
                  "Admission plugins to disable, even default ones")->delimiter(',');
  addAuditFlags(*cmd, c.audit);
  return cmd;
}

namespace {

// Ends the process once what must reach the disk has (the datastore is closed,
// queued audit events are written), without destroying the Server: coroutines
// still suspended in the io_context (the in-process controllers' watch loops)
// hold watchers of caches the Server owns, and no destruction order lets both
// go safely. Upstream's components end the same way (os.Exit).
fs::path serviceAccountKeyPath(const ServerConfig& config) {
  return fs::path(config.dataDir) / "server" / "tls" / "service-account.key";
}

// The identity an embedded component takes its lease with: stable, so that a
// restarted server takes its own lease back at once instead of waiting it out.
std::string embeddedIdentity() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return std::string(host) + "_kcpp-server";
}

// A kubeconfig for an embedded component: a client certificate for `user` from
// the cluster CA, also written to <data-dir>/server/cred/<name>.kubeconfig (as k3s).
Result<pki::Kubeconfig> componentKubeconfig(pki::ClusterPki& pki, const std::string& name,
                                            const std::string& user, int port) {
  pki::ClientIdentity identity{user, {}};
  auto cert = pki.ensureClientCertificate(name, identity);
  if (!cert) return std::move(cert).error();
  pki::Kubeconfig kubeconfig = pki.kubeconfigFor(*cert, port);
  if (auto ok = pki::writeKubeconfig(pki.files().credDir / (name + ".kubeconfig"), kubeconfig); !ok) {
    spdlog::warn("{} kubeconfig: {}", name, ok.error().message);
  }
  return kubeconfig;
}

// The API server's connections to kubelets: a client certificate of its own
// (client-kube-apiserver.crt, user kube-apiserver-kubelet-client, which the
// bootstrap policy binds to system:kubelet-api-admin).
using KubeletClient = std::pair<std::unique_ptr<asio::ssl::context>, std::unique_ptr<apiserver::KubeletConnector>>;
Result<KubeletClient> kubeletConnector(pki::ClusterPki& pki, const ServerConfig& config) {
  auto cert = pki.ensureClientCertificate("kube-apiserver", pki::ClientIdentity{"kube-apiserver-kubelet-client", {}});
  if (!cert) return std::move(cert).error();
  pki::ClientTlsOptions options;
  options.certificatePem = pki::certificateToPem(cert->cert.get());
  options.keyPem = pki::privateKeyToPem(cert->key.get());
  if (config.kubeletCertificateAuthority.empty()) {
    options.insecureSkipVerify = true;
  } else {
    std::ifstream in(config.kubeletCertificateAuthority);
    if (!in) return makeError(Reason::InternalError, "cannot read " + config.kubeletCertificateAuthority);
    std::ostringstream pem;
    pem << in.rdbuf();
    options.caPem = pem.str();
  }
  auto tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  if (auto ok = pki::configureClientTls(*tls, options); !ok) return std::move(ok).error();
  auto connector = std::make_unique<apiserver::KubeletConnector>(*tls, std::chrono::seconds(config.kubeletTimeoutSeconds));
  return KubeletClient{std::move(tls), std::move(connector)};
}

// The controller-manager inside the server, as k3s runs it: its own thread and
// io_context, reaching the API over loopback as system:kube-controller-manager,
// each controller with its own ServiceAccount credentials.
void startControllerManager(Server& s, pki::ClusterPki& pki, const ServerConfig& config, int port) {
  auto kubeconfig = componentKubeconfig(pki, "controller", "system:kube-controller-manager", port);
  if (!kubeconfig) {
    spdlog::error("controller-manager credentials: {}", kubeconfig.error().message);
    return;
  }
  ControllerManagerConfig cm = config.controllerManager;
  cm.useServiceAccountCredentials = true;
  if (cm.localPathDir.empty()) cm.localPathDir = (fs::path(config.dataDir) / "storage").string();
  cm.allocateNodeCidrs = true;  // as k3s
  cm.rootCaFile = pki.files().serverCaCert.string();
  // csrsigning: client certificates from the client CA the server trusts,
  // kubelet serving certificates from the server CA (as k3s splits them).
  if (cm.clusterSigningCertFile.empty()) {
    const auto& files = pki.files();
    cm.clusterSigningKubeApiserverClientCertFile = files.clientCaCert.string();
    cm.clusterSigningKubeApiserverClientKeyFile = files.clientCaKey.string();
    cm.clusterSigningKubeletClientCertFile = files.clientCaCert.string();
    cm.clusterSigningKubeletClientKeyFile = files.clientCaKey.string();
    cm.clusterSigningKubeletServingCertFile = files.serverCaCert.string();
    cm.clusterSigningKubeletServingKeyFile = files.serverCaKey.string();
  }
  cm.serviceAccountPrivateKeyFile = serviceAccountKeyPath(config).string();
  cm.leaderElectIdentity = embeddedIdentity();
  s.controllerManager =
      std::make_unique<ControllerManager>(std::move(cm), std::move(*kubeconfig), s.embedding);
  if (auto ok = s.controllerManager->init(); !ok) {
    spdlog::error("controller-manager: {}", ok.error().message);
    return;
  }
  // Never joined: the server ends with _Exit (exitWithoutTeardown).
  std::thread([manager = s.controllerManager.get()] { manager->run(); }).detach();
}

// The scheduler inside the server, likewise, as system:kube-scheduler.
void startScheduler(Server& s, pki::ClusterPki& pki, int port) {
  auto kubeconfig = componentKubeconfig(pki, "scheduler", "system:kube-scheduler", port);
  if (!kubeconfig) {
    spdlog::error("scheduler credentials: {}", kubeconfig.error().message);
    return;
  }
  SchedulerConfig flags;
  flags.leaderElectIdentity = embeddedIdentity();
  // In the same process as the server: no reason to hold binds back.
  flags.kubeApiQps = 5000;
  flags.kubeApiBurst = 10000;
  s.scheduler = std::make_unique<SchedulerRunner>(flags, scheduler::config::defaultConfiguration(),
                                                  std::move(*kubeconfig), s.embedding);
  if (auto ok = s.scheduler->init(); !ok) {
    spdlog::error("scheduler: {}", ok.error().message);
    return;
  }
  std::thread([runner = s.scheduler.get()] { runner->run(); }).detach();
}

// The agent inside the server, as k3s runs it: the kubelet on its own thread
// and io_context, as system:node:<name> (group system:nodes); the server
// labels its Node as a control-plane node with its own credentials.
void startAgent(Server& s, pki::ClusterPki& pki, const ServerConfig& config, int port) {
  KubeletConfig agent = config.agent;
  agent.dataDir = config.dataDir;
  completeKubeletConfig(agent);
  pki::ClientIdentity identity{"system:node:" + agent.nodeName, {"system:nodes"}};
  auto cert = pki.ensureClientCertificate("kubelet", identity);
  if (!cert) {
    spdlog::error("agent credentials: {}", cert.error().message);
    return;
  }
  pki::Kubeconfig kubeconfig = pki.kubeconfigFor(*cert, port);
  auto agentDir = fs::path(config.dataDir) / "agent";
  std::error_code ec;
  fs::create_directories(agentDir, ec);
  if (auto ok = pki::writeKubeconfig(agentDir / "kubelet.kubeconfig", kubeconfig); !ok) {
    spdlog::warn("kubelet kubeconfig: {}", ok.error().message);
  }
  agent.serverAppliedLabels = {{"node-role.kubernetes.io/control-plane", "true"},
                               {"node-role.kubernetes.io/master", "true"}};
  s.agent = std::make_unique<KubeletRunner>(std::move(agent), std::move(kubeconfig), pki.adminKubeconfig(port));
  if (auto ok = s.agent->init(); !ok) {
    spdlog::error("agent: {}", ok.error().message);
    return;
  }
  std::thread([runner = s.agent.get()] { runner->run(); }).detach();
}

[[noreturn]] void exitWithoutTeardown(Server& s, int exitCode) {
  s.auditLog.writer.reset();  // writes what is queued, then stops its thread
  spdlog::shutdown();
  std::fflush(nullptr);
  std::_Exit(exitCode);
}

}  // namespace

// The embedded controller-manager's flags from --kube-controller-manager-arg,
// parsed as `kcpp controller-manager` parses its own.
Result<void> parseControllerManagerArgs(ServerConfig& config) {
  CLI::App app;
  // Starting from what the server's own flags set (e.g. --cluster-cidr).
  ControllerManagerConfig parsed = config.controllerManager;
  addControllerManagerCommand(app, parsed);
  std::vector<std::string> argv{"controller-manager", "--kubeconfig", "(embedded)"};
  for (const std::string& arg : config.controllerManagerArgs) argv.push_back("--" + arg);
  std::reverse(argv.begin(), argv.end());  // CLI11 parses a reversed vector
  try {
    app.parse(argv);
  } catch (const CLI::ParseError& e) {
    return makeError(Reason::BadRequest, std::string("--kube-controller-manager-arg: ") + e.what());
  }
  parsed.kubeconfig.clear();
  config.controllerManager = std::move(parsed);
  return {};
}

int runServer(ServerConfig config) {
  setupLogging(config.verbosity);
  if (auto ok = parseControllerManagerArgs(config); !ok) {
    spdlog::error("{}", ok.error().message);
    return 1;
  }
  if (config.dataDir.empty()) config.dataDir = defaultDataDir();
  if (config.writeKubeconfig.empty()) config.writeKubeconfig = config.dataDir + "/kubeconfig.yaml";
  std::error_code fsError;
  fs::create_directories(fs::path(config.dataDir) / "server" / "db", fsError);
  if (fsError) {
    spdlog::error("cannot create data dir {}: {}", config.dataDir, fsError.message());
    return 1;
  }
  config.controllerManager.allocateNodeCidrs = true;  // checked here: a bad --cluster-cidr stops the start
  if (auto ok = validateNodeIpamFlags(config.controllerManager); !ok) {
    spdlog::error("{}", ok.error().message);
    return 1;
  }
  auto firstIp = firstIpOf(config.serviceCidr);
  if (!firstIp) {
    spdlog::error("{}", firstIp.error().message);
    return 1;
  }

  Server s;
  s.config = config;
  s.strategyConfig.serviceCidr = config.serviceCidr;
  s.strategyConfig.serviceNodePortRange = config.serviceNodePortRange;
  pki::ServingNames names;
  names.bindAddress = config.bindAddress;
  names.clusterDomain = config.clusterDomain;
  names.firstServiceIp = *firstIp;
  auto pki = pki::ClusterPki::loadOrCreate(config.dataDir, pki::servingAltNames(names));
  if (!pki) {
    spdlog::error("certificates: {}", pki.error().message);
    return 1;
  }
  s.serverCaPem = pki::certificateToPem(pki->serverCa().cert.get());
  auto store = storage::openSqliteStore(
      (fs::path(config.dataDir) / "server" / "db" / "state.db").string(), {});
  if (!store) {
    spdlog::error("datastore: {}", store.error().message);
    return 1;
  }
  s.store = std::move(*store);
  storage::SecretsEncryptionOptions encryption;
  encryption.enabled = config.secretsEncryption;
  encryption.rotate = config.secretsEncryptionRotate;
  auto secretsTransformer = storage::loadSecretsTransformer(config.dataDir, encryption);
  if (!secretsTransformer) {
    spdlog::error("secrets encryption: {}", secretsTransformer.error().message);
    return 1;
  }
  s.secretsTransformer = std::move(*secretsTransformer);
  buildAuthorizers(s);
  if (auto ok = buildRegistries(s); !ok) {
    spdlog::error("{}", ok.error().message);
    return 1;
  }
  std::vector<apiserver::AuthenticatorPtr> authenticators;
  authenticators.push_back(std::make_unique<apiserver::X509Authenticator>());
  // Bearer-token methods, asked in this order behind one cache, as kube-apiserver.
  std::vector<apiserver::TokenAuthenticatorPtr> tokenAuthenticators;
  if (!config.tokenAuthFile.empty()) {
    auto tokenFile = apiserver::TokenFileAuthenticator::load(config.tokenAuthFile);
    if (!tokenFile) {
      spdlog::error("--token-auth-file: {}", tokenFile.error().message);
      return 1;
    }
    tokenAuthenticators.push_back(std::move(*tokenFile));
  }
  // Service-account tokens: signed with a key kept in the data dir, for the
  // API server's audience (its issuer, as upstream's default).
  std::string saIssuer = "https://kubernetes.default.svc." + config.clusterDomain;
  auto saSigner = apiserver::ServiceAccountTokenSigner::loadOrCreate(
      serviceAccountKeyPath(config).string(), saIssuer);
  if (!saSigner) {
    spdlog::error("service account key: {}", saSigner.error().message);
    return 1;
  }
  apiserver::Registry* serviceAccounts = s.registry("", "serviceaccounts");
  KCPP_CHECK(serviceAccounts != nullptr, "the serviceaccounts resource is built in");
  auto saAuthenticator = std::make_unique<apiserver::ServiceAccountTokenAuthenticator>(
      *saSigner, std::vector<std::string>{saIssuer},
      [serviceAccounts](const std::string& ns,
                        const std::string& name) -> std::optional<std::string> {
        auto found = serviceAccounts->cache().peek(serviceAccounts->key(ns, name));
        if (!found || !found->json) return std::nullopt;
        auto obj = api::parseJson(*found->json);
        if (!obj || !obj->is_object()) return std::nullopt;
        const auto* meta = api::findObject(obj->get_object(), "metadata");
        if (!meta || meta->contains("deletionTimestamp")) return std::nullopt;
        return std::string(api::getString(*meta, "uid"));
      });
  apiserver::Registry* pods = s.registry("", "pods");
  apiserver::Registry* secrets = s.registry("", "secrets");
  saAuthenticator->setBoundObjectLookup(
      [pods, secrets](const std::string& kind, const std::string& ns,
                      const std::string& name) -> std::optional<std::string> {
        apiserver::Registry* r = kind == "Pod" ? pods : secrets;
        auto found = r->cache().peek(r->key(ns, name));
        if (!found || !found->json) return std::nullopt;
        auto obj = api::parseJson(*found->json);
        if (!obj || !obj->is_object()) return std::nullopt;
        const auto* meta = api::findObject(obj->get_object(), "metadata");
        if (!meta || meta->contains("deletionTimestamp")) return std::nullopt;
        return std::string(api::getString(*meta, "uid"));
      });
  // Legacy tokens live while the Secret holding them does.
  saAuthenticator->setLegacySecretLookup(
      [secrets](const std::string& ns, const std::string& name) -> std::optional<json::object> {
        auto found = secrets->cache().peek(secrets->key(ns, name));
        if (!found || !found->json) return std::nullopt;
        auto obj = api::parseJson(*found->json);
        if (!obj || !obj->is_object()) return std::nullopt;
        return std::move(obj->get_object());
      });
  tokenAuthenticators.push_back(std::move(saAuthenticator));
  tokenAuthenticators.push_back(std::make_unique<apiserver::BootstrapTokenAuthenticator>(
      [secrets](const std::string& name) -> std::optional<json::object> {
        auto found = secrets->cache().peek(secrets->key("kube-system", name));
        if (!found || !found->json) return std::nullopt;
        auto obj = api::parseJson(*found->json);
        if (!obj || !obj->is_object()) return std::nullopt;
        return std::move(obj->get_object());
      }));
  auto caFile = pki::readFile(pki->files().serverCaCert);
  if (!caFile) {
    spdlog::error("server CA: {}", caFile.error().message);
    return 1;
  }
  auto joinToken = apiserver::loadOrCreateJoinToken(config.dataDir, *caFile, config.token);
  if (!joinToken) {
    spdlog::error("server token: {}", joinToken.error().message);
    return 1;
  }
  tokenAuthenticators.push_back(std::make_unique<apiserver::JoinTokenAuthenticator>(*joinToken));
  authenticators.push_back(std::make_unique<apiserver::CachedTokenAuthenticator>(
      std::make_unique<apiserver::TokenUnion>(std::move(tokenAuthenticators))));
  s.authenticator = std::make_unique<apiserver::UnionAuthenticator>(std::move(authenticators));
  if (config.anonymousAuth) {
    s.authenticator = std::make_unique<apiserver::AnonymousFallback>(std::move(s.authenticator));
  }
  apiserver::ApiHandlerOptions handlerOptions;
  handlerOptions.serverAddress = config.bindAddress + ":" + std::to_string(config.httpsListenPort);
  handlerOptions.tokenRequest.signer = *saSigner;
  handlerOptions.tokenRequest.apiAudiences = {saIssuer};
  handlerOptions.tokenRequest.boundObjectUid =
      [pods, secrets](const std::string& kind, const std::string& ns,
                      const std::string& name) -> asio::awaitable<Result<std::string>> {
    apiserver::Registry* r = kind == "Pod" ? pods : secrets;
    auto found = co_await r->get(ns, name);
    if (!found) co_return std::move(found).error();
    auto obj = api::parseJson(*found->json);
    if (!obj || !obj->is_object()) co_return std::string();
    const auto* meta = api::findObject(obj->get_object(), "metadata");
    co_return std::string(meta ? api::getString(*meta, "uid") : "");
  };
  if (auto connector = kubeletConnector(*pki, config); connector) {
    s.kubeletClientTls = std::move(connector->first);
    s.kubeletConnector = std::move(connector->second);
    handlerOptions.kubeletConnector = s.kubeletConnector.get();
  } else {
    spdlog::error("kubelet client: {}", connector.error().message);
    return 1;
  }
  s.handler = std::make_unique<apiserver::ApiHandler>(handlerOptions, *s.authorizer);
  for (auto& r : s.registries) s.handler->addRegistry(*r);
  auto schemas = api::SchemaSet::loadBuiltin();
  if (!schemas) {
    spdlog::error("{}", schemas.error().message);
    return 1;
  }
  s.schemas = std::make_unique<api::SchemaSet>(std::move(*schemas));
  for (auto& r : s.registries) r->setObjectRules(objectRulesFor(r->type(), *s.schemas));
  for (auto& r : s.registries) r->setPatchSchemas(*s.schemas);
  s.openApi = std::make_unique<apiserver::OpenApiDocuments>(*s.schemas, api::builtinResources(),
                                                            handlerOptions.gitVersion);
  s.handler->setSchemas(*s.schemas, *s.openApi);

  s.tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  if (auto ok = pki::configureServerTls(*s.tls, *pki); !ok) {
    spdlog::error("tls: {}", ok.error().message);
    return 1;
  }
  apiserver::HttpServerOptions httpOptions;
  httpOptions.bindAddress = config.bindAddress;
  httpOptions.port = static_cast<std::uint16_t>(config.httpsListenPort);
  s.http = std::make_unique<apiserver::HttpServer>(s.io, *s.tls, httpOptions, *s.authenticator,
                                                   *s.handler);
  auto auditLog = openAuditLog(config.audit);
  if (!auditLog) {
    spdlog::error("audit: {}", auditLog.error().message);
    return 1;
  }
  s.auditLog = std::move(*auditLog);
  s.http->setAuditor(s.auditLog.auditor.get());
  s.embedding.interner = std::make_shared<client::ObjectInterner>();
  if (config.embeddedLoopback) {
    s.embedding.transport = std::make_shared<apiserver::LoopbackTransport>(
        *s.http, s.io, pki::shareCertificate(pki->clientCa().cert.get()));
  }
  if (auto ok = s.http->listen(); !ok) {
    spdlog::error("{}", ok.error().message);
    return 1;
  }
  int port = s.http->port();
  auto kubeconfig = pki->kubeconfigFor(pki->admin(), port);
  if (auto ok = pki::writeKubeconfig(config.writeKubeconfig, kubeconfig); !ok) {
    spdlog::error("kubeconfig: {}", ok.error().message);
    return 1;
  }

  std::promise<Result<void>> started;
  auto startedFuture = started.get_future();
  asio::co_spawn(s.io, startServing(s, started), [&](std::exception_ptr, Result<void> r) {
    if (!r) {
      spdlog::error("start: {}", r.error().message);
      s.io.stop();
      return;
    }
    if (!config.disableControllerManager) startControllerManager(s, *pki, config, port);
    if (!config.disableScheduler) startScheduler(s, *pki, port);
    if (!config.disableAgent) startAgent(s, *pki, config, port);
  });
  s.http->start();
  s.compactor = std::make_unique<storage::Compactor>(
      *s.store, s.io.get_executor(), std::chrono::seconds(config.compactIntervalSeconds));
  s.compactor->start();

  int exitCode = 0;
  asio::signal_set signals(s.io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (ec) return;
    spdlog::info("received signal {}, shutting down", signal);
    s.handler->setReady(false);
    s.stopping = true;
    s.compactor->stop();
    asio::co_spawn(s.io, s.http->shutdown(10s), [&](std::exception_ptr) {
      s.store->close();
      s.io.stop();
    });
  });
  spdlog::info("kcpp server listening on https://{}:{}, kubeconfig {}", config.bindAddress, port,
               config.writeKubeconfig);
  // The user's next step, on stdout so it can be copied (or eval'd).
  std::printf("export KUBECONFIG=%s\n", fs::absolute(config.writeKubeconfig).c_str());
  std::fflush(stdout);
  unsigned threads = std::max(2u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&] { s.io.run(); });
  s.io.run();
  for (auto& t : pool) t.join();
  if (startedFuture.wait_for(0s) != std::future_status::ready) exitCode = 1;
  s.store->close();
  exitWithoutTeardown(s, exitCode);
}

}  // namespace kcpp::cmd
