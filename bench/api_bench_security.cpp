#include "api_bench_security.h"

#include <boost/asio/this_coro.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>

#include <fstream>
#include <optional>

#include "api_bench_client.h"
#include "api_bench_server.h"
#include "pki/kubeconfig.h"

namespace kcpp::bench {
namespace {

namespace http = beast::http;
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kNamespace = "bench-sec";
constexpr const char* kToken = "bench-security-token-0123456789abcdef";
constexpr const char* kUser = "bench-user";
constexpr const char* kServiceAccount = "bench-sa";
constexpr int kRoleBindings = 1000;
constexpr int kClusterRoleBindings = 100;
constexpr int kClients = 32;
constexpr int kRounds = 3;

bool success(const Response& r) { return r.status >= 200 && r.status < 300; }

std::string configMapJson(const std::string& name) {
  json::object cm{{"apiVersion", "v1"}, {"kind", "ConfigMap"},
                  {"metadata", {{"name", name}, {"namespace", kNamespace}}},
                  {"data", {{"payload", std::string(64, 'x')}}}};
  return json::serialize(cm);
}

std::string bindingJson(const std::string& name, const std::string& user, bool cluster) {
  json::object b{{"apiVersion", "rbac.authorization.k8s.io/v1"},
                 {"kind", cluster ? "ClusterRoleBinding" : "RoleBinding"},
                 {"metadata", {{"name", name}}},
                 {"subjects", json::array{json::object{{"kind", "User"},
                                                       {"apiGroup", "rbac.authorization.k8s.io"},
                                                       {"name", user}}}},
                 {"roleRef", {{"kind", cluster ? "ClusterRole" : "Role"},
                              {"apiGroup", "rbac.authorization.k8s.io"},
                              {"name", cluster ? "view" : "cm-creator"}}}};
  return json::serialize(b);
}

// Sends one setup request; false (and the error recorded) unless it succeeded.
asio::awaitable<bool> post(Connection& c, ErrorLog& errors, std::string target, std::string body) {
  std::string kase = "security setup " + target;
  Response r = co_await c.request(http::verb::post, std::move(target), std::move(body));
  if (success(r)) co_return true;
  errors.add(kase, r.status, r.body);
  co_return false;
}

// The namespace, a Role allowed to create ConfigMaps, 1,000 RoleBindings to it (one
// of them, in the middle, for the benchmark's user) and 100 ClusterRoleBindings.
asio::awaitable<bool> setupPolicy(Connection& admin, ErrorLog& errors) {
  std::string ns = fmt::format(R"({{"apiVersion":"v1","kind":"Namespace","metadata":{{"name":"{}"}}}})",
                               kNamespace);
  std::string namespaces = "/api/v1/namespaces";
  if (!co_await post(admin, errors, namespaces, ns)) co_return false;
  std::string rbac = fmt::format("/apis/rbac.authorization.k8s.io/v1/namespaces/{}/", kNamespace);
  std::string role = R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role",
    "metadata":{"name":"cm-creator"},
    "rules":[{"apiGroups":[""],"resources":["configmaps"],"verbs":["create"]}]})";
  std::string roles = rbac + "roles";
  if (!co_await post(admin, errors, roles, role)) co_return false;
  std::string roleBindings = rbac + "rolebindings";
  for (int i = 0; i < kRoleBindings; ++i) {
    std::string user = i == kRoleBindings / 2 ? std::string(kUser) : fmt::format("user-{}", i);
    std::string body = bindingJson(fmt::format("rb-{:04}", i), user, false);
    if (!co_await post(admin, errors, roleBindings, body)) co_return false;
  }
  std::string clusterRoleBindings = "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings";
  for (int i = 0; i < kClusterRoleBindings; ++i) {
    std::string body = bindingJson(fmt::format("bench-crb-{:03}", i), fmt::format("other-{}", i), true);
    if (!co_await post(admin, errors, clusterRoleBindings, body)) co_return false;
  }
  co_return true;
}

// A ServiceAccount bound to the same Role, and a token for it from the
// TokenRequest API: the credentials controllers use, a JWT verified (or found
// in the token cache) on every request. Empty on failure.
asio::awaitable<std::string> setupServiceAccount(Connection& admin, ErrorLog& errors) {
  std::string sa = fmt::format(R"({{"apiVersion":"v1","kind":"ServiceAccount","metadata":{{"name":"{}"}}}})",
                               kServiceAccount);
  std::string accounts = fmt::format("/api/v1/namespaces/{}/serviceaccounts", kNamespace);
  if (!co_await post(admin, errors, accounts, sa)) co_return "";
  json::object binding{{"apiVersion", "rbac.authorization.k8s.io/v1"}, {"kind", "RoleBinding"},
                       {"metadata", {{"name", "rb-sa"}}},
                       {"subjects", json::array{json::object{{"kind", "ServiceAccount"},
                                                             {"name", kServiceAccount},
                                                             {"namespace", kNamespace}}}},
                       {"roleRef", {{"kind", "Role"},
                                    {"apiGroup", "rbac.authorization.k8s.io"},
                                    {"name", "cm-creator"}}}};
  std::string roleBindings =
      fmt::format("/apis/rbac.authorization.k8s.io/v1/namespaces/{}/rolebindings", kNamespace);
  std::string bindingBody = json::serialize(binding);
  if (!co_await post(admin, errors, roleBindings, bindingBody)) co_return "";
  std::string target = accounts + "/" + kServiceAccount + "/token";
  std::string request = R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{}})";
  Response r = co_await admin.request(http::verb::post, target, request);
  if (!success(r)) {
    errors.add("security setup token", r.status, r.body);
    co_return "";
  }
  boost::system::error_code ec;
  json::value answer = json::parse(r.body, ec);
  const json::value* token = ec || !answer.is_object() ? nullptr : answer.as_object().if_contains("status");
  token = token && token->is_object() ? token->as_object().if_contains("token") : nullptr;
  co_return token && token->is_string() ? std::string(token->as_string()) : "";
}

struct Creator {
  ConnectionPtr conn;
  Latencies latencies;
  long ops = 0;
  long errors = 0;
};

struct RoundResult {
  double rate = 0;
  double p50 = 0;
  double p99 = 0;
  long errors = 0;
};

asio::awaitable<void> createUntil(Creator& c, std::string prefix, Clock::time_point deadline,
                                  ErrorLog& errors, std::string kase) {
  for (long seq = 0; Clock::now() < deadline; ++seq) {
    auto t0 = Clock::now();
    std::string target = fmt::format("/api/v1/namespaces/{}/configmaps", kNamespace);
    std::string body = configMapJson(fmt::format("{}-{}", prefix, seq));
    Response r = co_await c.conn->request(http::verb::post, target, body);
    if (r.status == 201) {
      c.latencies.add(Clock::now() - t0);
      ++c.ops;
    } else {
      ++c.errors;
      errors.add(kase, r.status, r.body);
      if (r.transportFailed()) co_await sleepFor(10ms);
    }
  }
}

// 32 clients create ConfigMaps for `duration` seconds with these credentials.
asio::awaitable<RoundResult> createRound(const Options& o, const ServerProcess& server,
                                         asio::ssl::context& tls, const std::string& authorization,
                                         const std::string& label, ErrorLog& errors) {
  auto ex = co_await asio::this_coro::executor;
  std::vector<Creator> creators(kClients);
  for (auto& c : creators) {
    c.conn = std::make_unique<Connection>(ex, tls, server.endpoint());
    c.conn->setAuthorization(authorization);
    co_await c.conn->connect();
  }
  auto t0 = Clock::now();
  auto deadline = t0 + std::chrono::duration_cast<Clock::duration>(
                           std::chrono::duration<double>(o.duration));
  WaitGroup group(ex);
  std::string kase = "security create as " + label.substr(0, label.find('-'));
  for (std::size_t i = 0; i < creators.size(); ++i) {
    std::string prefix = fmt::format("{}-w{}", label, i);
    group.spawn(createUntil(creators[i], prefix, deadline, errors, kase));
  }
  co_await group.wait();
  double elapsed = seconds(Clock::now() - t0);
  Latencies all;
  RoundResult out;
  long ops = 0;
  for (const auto& c : creators) {
    all.merge(c.latencies);
    ops += c.ops;
    out.errors += c.errors;
  }
  out.rate = ops / elapsed;
  out.p50 = all.percentileMs(50);
  out.p99 = all.percentileMs(99);
  co_return out;
}

double medianOf(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

Row rateRow(std::string name, const std::vector<RoundResult>& rounds) {
  std::vector<double> rates, p50s, p99s;
  Row row;
  for (const auto& r : rounds) {
    rates.push_back(r.rate);
    p50s.push_back(r.p50);
    p99s.push_back(r.p99);
    row.errors += r.errors;
  }
  row.name = std::move(name);
  row.rate = medianOf(rates);
  row.p50Ms = medianOf(p50s);
  row.p99Ms = medianOf(p99s);
  row.note = fmt::format("median of {} rounds", rounds.size());
  return row;
}

Row overheadRow(std::string name, double base, double with, bool targeted) {
  Row row;
  row.name = std::move(name);
  row.value = base > 0 ? 100.0 * (1.0 - with / base) : 0;
  row.unit = "%";
  if (targeted) row.target = Target{Target::Kind::AtMost, 15, "<= 15 %"};
  return row;
}

std::size_t lineCount(const fs::path& file) {
  std::ifstream in(file);
  return static_cast<std::size_t>(std::count(std::istreambuf_iterator<char>(in),
                                             std::istreambuf_iterator<char>(), '\n'));
}

struct ModeResult {
  std::vector<RoundResult> admin;
  std::vector<RoundResult> user;
  std::vector<RoundResult> serviceAccount;
};

// One server (audit log on or off): policy, then alternating rounds.
asio::awaitable<std::optional<ModeResult>> measureMode(const Options& o, const fs::path& dir,
                                                       bool audit, ErrorLog& errors,
                                                       std::vector<std::string>& problems) {
  fs::create_directories(dir);
  fs::path tokens = dir / "tokens.csv";
  std::ofstream(tokens) << kToken << "," << kUser << ",3001,\"bench-users\"\n";
  ServerOptions options{o.kcpp, dir, o.serverArgs};
  options.extraArgs.insert(options.extraArgs.end(), {"--token-auth-file", tokens.string()});
  if (audit) options.extraArgs.insert(options.extraArgs.end(), {"--audit-log-path", (dir / "audit.log").string()});
  auto server = ServerProcess::start(options);
  if (!server) {
    problems.push_back(server.error().message);
    co_return std::nullopt;
  }
  auto ready = co_await server->waitReady(30s);
  auto config = pki::readKubeconfig(server->kubeconfig());
  if (!ready || !config) {
    problems.push_back("security scenario: server never got ready\n" + tailOfFile(server->logFile(), 20));
    co_return std::nullopt;
  }
  auto adminTls = makeClientTls(*config);
  auto userTls = makeAnonymousClientTls(*config);
  if (!adminTls || !userTls) {
    problems.push_back("security scenario: client TLS");
    co_return std::nullopt;
  }
  auto ex = co_await asio::this_coro::executor;
  Connection admin(ex, **adminTls, server->endpoint());
  bool ok = co_await setupPolicy(admin, errors);
  if (!ok) {
    problems.push_back("security scenario: could not create the RBAC objects");
    co_return std::nullopt;
  }
  std::string saToken = co_await setupServiceAccount(admin, errors);
  if (saToken.empty()) {
    problems.push_back("security scenario: could not get a ServiceAccount token");
    co_return std::nullopt;
  }
  ModeResult out;
  std::string bearer = std::string("Bearer ") + kToken;
  std::string saBearer = "Bearer " + saToken;
  std::string none;
  for (int round = 0; round < kRounds; ++round) {
    // Rotate which goes first so that drift (a growing store) hits all alike.
    for (int k = 0; k < 3; ++k) {
      int who = (round + k) % 3;  // 0 admin, 1 token-file user, 2 ServiceAccount
      const char* names[] = {"admin", "user", "sa"};
      const char* shown[] = {"admin", "RBAC user", "ServiceAccount"};
      std::string label = fmt::format("{}-r{}", names[who], round);
      asio::ssl::context& tls = who == 0 ? **adminTls : **userTls;
      const std::string& authorization = who == 0 ? none : who == 1 ? bearer : saBearer;
      RoundResult r = co_await createRound(o, *server, tls, authorization, label, errors);
      progress("security ({}): {} round {}: {:.0f} creates/s, p50 {:.2f} ms, p99 {:.2f} ms",
               audit ? "audit log on" : "audit log off", shown[who], round, r.rate, r.p50, r.p99);
      (who == 0 ? out.admin : who == 1 ? out.user : out.serviceAccount).push_back(r);
    }
  }
  co_await server->stop();
  if (audit) progress("security: {} audit events written", lineCount(dir / "audit.log"));
  co_return out;
}

}  // namespace

asio::awaitable<void> securityScenario(const Options& o, const fs::path& root, Report& report,
                                       ErrorLog& errors, std::vector<std::string>& problems) {
  std::optional<ModeResult> modes[2];
  for (int audit = 0; audit < 2; ++audit) {
    fs::path dir = root / (audit ? "security-audit" : "security");
    modes[audit] = co_await measureMode(o, dir, audit == 1, errors, problems);
    if (!modes[audit]) co_return;
  }
  const char* suffix[] = {"audit log off", "audit log on"};
  for (int audit = 0; audit < 2; ++audit) {
    const ModeResult& m = *modes[audit];
    Row admin = rateRow(fmt::format("create x32 as admin (system:masters), {}", suffix[audit]), m.admin);
    Row user = rateRow(fmt::format("create x32 as token user via 1 of 1,000 RoleBindings, {}",
                                   suffix[audit]), m.user);
    Row sa = rateRow(fmt::format("create x32 as ServiceAccount (TokenRequest JWT) via a RoleBinding, {}",
                                 suffix[audit]), m.serviceAccount);
    double adminRate = *admin.rate;
    double userRate = *user.rate;
    report.add(std::move(admin));
    report.add(std::move(user));
    report.add(std::move(sa));
    report.add(overheadRow(fmt::format("  authn + RBAC + admission overhead, {}", suffix[audit]),
                           adminRate, userRate, true));
  }
  double adminOff = *rateRow("", modes[0]->admin).rate;
  double adminOn = *rateRow("", modes[1]->admin).rate;
  double userOff = *rateRow("", modes[0]->user).rate;
  double userOn = *rateRow("", modes[1]->user).rate;
  report.add(overheadRow("  audit log (Metadata, every request) overhead, admin", adminOff, adminOn, false));
  report.add(overheadRow("  audit log (Metadata, every request) overhead, token user", userOff, userOn, false));
  report.add(overheadRow("  everything (token user + audit log) vs admin without audit", adminOff, userOn, true));
}

}  // namespace kcpp::bench
