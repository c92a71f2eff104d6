#include "api_bench_load.h"

#include <boost/asio/this_coro.hpp>
#include <boost/json.hpp>
#include <sys/resource.h>

#include <functional>
#include <optional>
#include <random>

namespace kcpp::bench {
namespace {

namespace http = beast::http;
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr int kFillClients = 32;
constexpr int kPacedSenders = 32;
constexpr int kSmallObjects = 100;

double millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

bool success(const Response& r) { return r.status >= 200 && r.status < 300; }

std::string plural(int n, const char* word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

double clientCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto sec = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return sec(usage.ru_utime) + sec(usage.ru_stime);
}

// The CPU the server and this client used from construction to stamp(), in % of one
// core: it shows which side was saturated on a machine both share.
class CpuMeter {
 public:
  explicit CpuMeter(const ServerProcess& server)
      : server_(server), at_(Clock::now()), serverStart_(server.cpuSeconds()),
        clientStart_(clientCpuSeconds()) {}

  void stamp(Row& row) const {
    double wall = seconds(Clock::now() - at_);
    if (wall <= 0) return;
    auto serverNow = server_.cpuSeconds();
    if (serverNow && serverStart_) row.serverCpuPct = 100 * (*serverNow - *serverStart_) / wall;
    row.clientCpuPct = 100 * (clientCpuSeconds() - clientStart_) / wall;
  }

 private:
  const ServerProcess& server_;
  Clock::time_point at_;
  std::optional<double> serverStart_;
  double clientStart_;
};

// ---- Objects ---------------------------------------------------------------

std::string configMapsPath(const std::string& ns) {
  return "/api/v1/namespaces/" + ns + "/configmaps";
}

std::string sentStamp() {
  return std::to_string(Clock::now().time_since_epoch().count());
}

std::string configMapJson(const std::string& ns, const std::string& name,
                          const std::string& resourceVersion = {}) {
  json::object meta;
  meta["name"] = name;
  meta["namespace"] = ns;
  if (!resourceVersion.empty()) meta["resourceVersion"] = resourceVersion;
  json::object data;
  data["payload"] = std::string(64, 'x');
  data["sent"] = sentStamp();
  json::object cm;
  cm["apiVersion"] = "v1";
  cm["kind"] = "ConfigMap";
  cm["metadata"] = std::move(meta);
  cm["data"] = std::move(data);
  return json::serialize(cm);
}

std::optional<json::object> parseObject(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

std::string deploymentsPath(const std::string& ns) {
  return "/apis/apps/v1/namespaces/" + ns + "/deployments";
}

// A realistic web Deployment (~2.5 KB JSON): two containers with ports, env (incl. fieldRef),
// resources, probes and volume mounts; a configMap and an emptyDir volume.
constexpr std::string_view kDeployment = R"({
 "apiVersion": "apps/v1", "kind": "Deployment",
 "metadata": {"name": "", "namespace": "",
  "labels": {"app.kubernetes.io/name": "web", "app.kubernetes.io/part-of": "shop",
             "app.kubernetes.io/version": "1.24.3", "tier": "frontend"},
  "annotations": {"deployment.kubernetes.io/owner": "team-storefront",
                  "example.com/commit": "3f9c2e7a1b4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f"}},
 "spec": {"replicas": 3, "revisionHistoryLimit": 10,
  "selector": {"matchLabels": {"app.kubernetes.io/name": "web", "tier": "frontend"}},
  "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
  "template": {
   "metadata": {"labels": {"app.kubernetes.io/name": "web", "tier": "frontend"},
                "annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": "9090"}},
   "spec": {"terminationGracePeriodSeconds": 30,
    "containers": [
     {"name": "web", "image": "registry.example.com/shop/web:1.24.3",
      "imagePullPolicy": "IfNotPresent",
      "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"},
                {"name": "metrics", "containerPort": 9090, "protocol": "TCP"}],
      "env": [{"name": "LOG_LEVEL", "value": "info"},
              {"name": "CACHE_URL", "value": "redis://cache.shop.svc:6379/0"},
              {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
              {"name": "POD_NAMESPACE",
               "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
              {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}],
      "resources": {"requests": {"cpu": "250m", "memory": "256Mi"},
                    "limits": {"cpu": "1", "memory": "512Mi"}},
      "readinessProbe": {"httpGet": {"path": "/healthz/ready", "port": "http"},
                         "initialDelaySeconds": 5, "periodSeconds": 10},
      "livenessProbe": {"httpGet": {"path": "/healthz/live", "port": "http"},
                        "initialDelaySeconds": 15, "periodSeconds": 20, "failureThreshold": 3},
      "volumeMounts": [{"name": "config", "mountPath": "/etc/web", "readOnly": true},
                       {"name": "cache", "mountPath": "/var/cache/web"}]},
     {"name": "sidecar", "image": "registry.example.com/infra/log-shipper:2.3.1",
      "ports": [{"name": "admin", "containerPort": 2020, "protocol": "TCP"}],
      "env": [{"name": "SHIP_TO", "value": "logs.example.com:24224"},
              {"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}],
      "resources": {"requests": {"cpu": "50m", "memory": "64Mi"},
                    "limits": {"cpu": "200m", "memory": "128Mi"}},
      "readinessProbe": {"httpGet": {"path": "/api/v1/health", "port": 2020}, "periodSeconds": 10},
      "livenessProbe": {"tcpSocket": {"port": 2020}, "periodSeconds": 30},
      "volumeMounts": [{"name": "cache", "mountPath": "/var/cache/web", "readOnly": true}]}],
    "volumes": [{"name": "config", "configMap": {"name": "web-config", "defaultMode": 420}},
                {"name": "cache", "emptyDir": {"sizeLimit": "1Gi"}}]}}}})";

std::string deploymentJson(const std::string& ns, const std::string& name) {
  static const json::object base = *parseObject(kDeployment);
  json::object d = base;
  json::object& meta = d["metadata"].as_object();
  meta["name"] = name;
  meta["namespace"] = ns;
  return json::serialize(d);
}

// A string member of a nested object: stringAt(obj, {"metadata", "resourceVersion"}).
std::string stringAt(const json::object& obj, std::initializer_list<const char*> path) {
  const json::object* at = &obj;
  const json::value* v = nullptr;
  for (const char* key : path) {
    if (!at) return "";
    v = at->if_contains(key);
    if (!v) return "";
    at = v->if_object();
  }
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

std::string resourceVersionOf(const std::string& body) {
  auto obj = parseObject(body);
  return obj ? stringAt(*obj, {"metadata", "resourceVersion"}) : "";
}

std::size_t itemCount(const std::string& body) {
  auto obj = parseObject(body);
  if (!obj) return 0;
  const json::value* items = obj->if_contains("items");
  return items && items->is_array() ? items->get_array().size() : 0;
}

// Coroutine calls below pass only lvalues or same-type prvalues: GCC 12 miscompiles
// some converted temporaries in coroutine arguments (use after free seen under ASan).

asio::awaitable<bool> createNamespace(Bench& b, Connection& c, std::string ns) {
  std::string body = R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":")" + ns + "\"}}";
  std::string target = "/api/v1/namespaces";
  Response r = co_await c.request(http::verb::post, std::move(target), std::move(body));
  if (success(r)) ++b.created;
  if (success(r) || r.status == 409) co_return true;
  b.failed("create namespace " + ns, r);
  co_return false;
}

asio::awaitable<Response> createConfigMap(Bench& b, Connection& c, std::string ns,
                                          std::string name) {
  Response r = co_await c.request(http::verb::post, configMapsPath(ns), configMapJson(ns, name));
  if (success(r)) {
    ++b.created;
    ++b.configMaps;
  }
  co_return r;
}

// Creates `count` ConfigMaps named cm-<i> in `ns` with kFillClients clients.
asio::awaitable<double> fill(Bench& b, std::string ns, int count) {
  auto ex = co_await asio::this_coro::executor;
  int next = 0;
  auto worker = [&b, &ns, &next, count, ex]() -> asio::awaitable<void> {
    ConnectionPtr c = b.connection(ex);
    for (int i = next++; i < count; i = next++) {
      Response r = co_await createConfigMap(b, *c, ns, "cm-" + std::to_string(i));
      if (!success(r)) b.failed("fill " + ns, r);
      if (r.transportFailed() && !b.server.running()) co_return;
    }
  };
  auto t0 = Clock::now();
  WaitGroup group(ex);
  for (int i = 0; i < kFillClients; ++i) group.spawn(worker());
  co_await group.wait();
  co_return count / seconds(Clock::now() - t0);
}

// ---- CRUD at fixed concurrency ----------------------------------------------------

enum class Op { Create, Get, List, Update, CreateDeployment };

const char* opName(Op op) {
  switch (op) {
    case Op::Create: return "create";
    case Op::Get: return "get";
    case Op::List: return "list (100 objects)";
    case Op::Update: return "update (PUT with resourceVersion)";
    case Op::CreateDeployment: return "create Deployment";
  }
  return "?";
}

struct Worker {
  int id = 0;
  ConnectionPtr conn;
  std::string updateName;
  std::string resourceVersion;
  std::mt19937 rng;
  Latencies latencies;
  long ops = 0;
  long errors = 0;
};

// The request one operation sends: method, target and body.
struct Request {
  http::verb verb = http::verb::get;
  std::string target;
  std::string body;
};

Request requestFor(Op op, Worker& w, int clients, long seq) {
  switch (op) {
    case Op::Create: {
      std::string name = fmt::format("c{}-w{}-{}", clients, w.id, seq);
      return {http::verb::post, configMapsPath("bench-crud"), configMapJson("bench-crud", name)};
    }
    case Op::Get: {
      auto i = std::uniform_int_distribution<int>(0, kSmallObjects - 1)(w.rng);
      return {http::verb::get, configMapsPath("bench-small") + "/cm-" + std::to_string(i), ""};
    }
    case Op::List:
      return {http::verb::get, configMapsPath("bench-small"), ""};
    case Op::Update:
      return {http::verb::put, configMapsPath("bench-update") + "/" + w.updateName,
              configMapJson("bench-update", w.updateName, w.resourceVersion)};
    case Op::CreateDeployment: {
      std::string name = fmt::format("d{}-w{}-{}", clients, w.id, seq);
      return {http::verb::post, deploymentsPath("bench-deploy"),
              deploymentJson("bench-deploy", name)};
    }
  }
  return {};
}

// After a failed update, learn the object's current resourceVersion.
asio::awaitable<void> refreshResourceVersion(Worker& w) {
  Response r = co_await w.conn->request(http::verb::get,
                                        configMapsPath("bench-update") + "/" + w.updateName);
  if (success(r)) w.resourceVersion = resourceVersionOf(r.body);
}

asio::awaitable<void> runWorker(Bench& b, Op op, Worker& w, int clients, std::string kase,
                                Clock::time_point deadline) {
  for (long seq = 0; Clock::now() < deadline; ++seq) {
    Request req = requestFor(op, w, clients, seq);
    auto t0 = Clock::now();
    Response r = co_await w.conn->request(req.verb, std::move(req.target), std::move(req.body));
    auto elapsed = Clock::now() - t0;
    if (op == Op::CreateDeployment ? r.status == 201 : success(r)) {
      w.latencies.add(elapsed);
      ++w.ops;
      if (op == Op::Create) {
        ++b.created;
        ++b.configMaps;
      }
      if (op == Op::Update) w.resourceVersion = resourceVersionOf(r.body);
      if (op == Op::CreateDeployment) ++b.created;
      continue;
    }
    ++w.errors;
    b.failed(kase, r);
    if (r.transportFailed() && !b.server.running()) co_return;
    if (op == Op::Update) co_await refreshResourceVersion(w);
  }
}

// Connects each worker (and, for updates, creates the object it will update).
asio::awaitable<bool> prepareWorkers(Bench& b, Op op, std::vector<Worker>& workers, int clients) {
  auto ex = co_await asio::this_coro::executor;
  for (std::size_t i = 0; i < workers.size(); ++i) {
    Worker& w = workers[i];
    w.id = static_cast<int>(i);
    w.rng.seed(static_cast<unsigned>(i * 7919 + clients));
    w.conn = b.connection(ex);
    Response r = co_await w.conn->connect();
    if (op == Op::Update && success(r)) {
      w.updateName = fmt::format("upd-c{}-w{}", clients, i);
      std::string ns = "bench-update";
      r = co_await createConfigMap(b, *w.conn, ns, w.updateName);
      w.resourceVersion = resourceVersionOf(r.body);
    }
    if (!success(r)) {
      b.failed(fmt::format("{} setup", opName(op)), r);
      co_return false;
    }
  }
  co_return true;
}

Row crudRow(Op op, int clients, const std::vector<Worker>& workers, double elapsed) {
  Row row;
  row.name = fmt::format("{}, {}", opName(op), plural(clients, "client"));
  Latencies all;
  long ops = 0;
  for (const Worker& w : workers) {
    all.merge(w.latencies);
    ops += w.ops;
    row.errors += w.errors;
  }
  row.count = static_cast<double>(ops);
  row.rate = ops / elapsed;
  row.p50Ms = all.percentileMs(50);
  row.p99Ms = all.percentileMs(99);
  if (op == Op::Create && clients == 32) {
    row.target = Target{Target::Kind::AtLeast, 5000, ">= 5000/s"};
  }
  if (op == Op::Create && clients == 8) row.upstream = "~1450/s";
  if (op == Op::CreateDeployment) {
    std::size_t bytes = deploymentJson("bench-deploy", "d32-w31-9999").size();
    row.name = fmt::format("create Deployment ({} B), {}", bytes, plural(clients, "client"));
    if (clients == 32) row.target = Target{Target::Kind::AtLeast, 3000, ">= 3000/s"};
  }
  return row;
}

asio::awaitable<void> crudCase(Bench& b, Op op, int clients) {
  std::vector<Worker> workers(static_cast<std::size_t>(clients));
  bool prepared = co_await prepareWorkers(b, op, workers, clients);
  if (!prepared) co_return;
  auto ex = co_await asio::this_coro::executor;
  std::string kase = fmt::format("{} x{}", opName(op), clients);
  CpuMeter cpu(b.server);
  auto t0 = Clock::now();
  auto deadline = t0 + std::chrono::duration_cast<Clock::duration>(
                           std::chrono::duration<double>(b.options.duration));
  WaitGroup group(ex);
  for (Worker& w : workers) group.spawn(runWorker(b, op, w, clients, kase, deadline));
  co_await group.wait();
  Row row = crudRow(op, clients, workers, seconds(Clock::now() - t0));
  cpu.stamp(row);
  progress("{}: {:.0f} ops/s, p50 {:.2f} ms, p99 {:.2f} ms, {} errors", row.name, *row.rate,
           *row.p50Ms, *row.p99Ms, row.errors);
  b.report.add(std::move(row));
}

asio::awaitable<void> crudScenario(Bench& b) {
  static constexpr Op kOps[] = {Op::Create, Op::Get, Op::List, Op::Update};
  for (Op op : kOps) {
    for (int clients : b.options.clients) {
      if (!b.serverAlive(opName(op))) co_return;
      co_await crudCase(b, op, clients);
    }
  }
}

// Creates of a realistic ~2.5 KB apps/v1 Deployment (each must answer 201).
asio::awaitable<void> deploymentScenario(Bench& b) {
  for (int clients : b.options.clients) {
    if (!b.serverAlive("Deployment creates")) co_return;
    co_await crudCase(b, Op::CreateDeployment, clients);
  }
}

// ---- Watch -------------------------------------------------------------------------

struct Watcher {
  ConnectionPtr conn;
  Latencies latencies;
  long received = 0;
  Clock::time_point done{};
  std::string error;
};

// Handles one watch line; false once the watcher has all it waits for (or an ERROR).
bool onWatchLine(Watcher& w, std::string_view line, long expected) {
  auto now = Clock::now();
  auto event = parseObject(line);
  if (!event) {
    w.error = "unparsable watch line: " + std::string(line.substr(0, 200));
    return false;
  }
  std::string type = stringAt(*event, {"type"});
  if (type == "ERROR") {
    w.error = "ERROR event: " + std::string(line.substr(0, 300));
    return false;
  }
  std::string sent = stringAt(*event, {"object", "data", "sent"});
  if (type != "ADDED" || sent.empty()) return true;
  w.latencies.add(now - Clock::time_point(Clock::duration(std::stoll(sent))));
  if (++w.received < expected) return true;
  w.done = now;
  return false;
}

asio::awaitable<void> runWatcher(Watcher& w, std::string target, long expected, int& started) {
  std::function<void()> onHeaders = [&started] { ++started; };
  Connection::LineHandler onLine = [&w, expected](std::string_view line) {
    return onWatchLine(w, line, expected);
  };
  std::string result = co_await w.conn->watch(std::move(target), onHeaders, onLine, 15s);
  if (!result.empty() && w.error.empty()) w.error = result;
}

asio::awaitable<void> runWriter(Bench& b, const std::string& ns, int& next, int count) {
  auto ex = co_await asio::this_coro::executor;
  ConnectionPtr c = b.connection(ex);
  for (int i = next++; i < count; i = next++) {
    Response r = co_await createConfigMap(b, *c, ns, "w-" + std::to_string(i));
    if (!success(r)) b.failed("watch writer " + ns, r);
    if (r.transportFailed() && !b.server.running()) co_return;
  }
}

asio::awaitable<void> waitForStarts(const int& started, int want, Clock::duration limit) {
  auto until = Clock::now() + limit;
  while (started < want && Clock::now() < until) co_await sleepFor(1ms);
}

void addWatchRows(Bench& b, int watchers, std::vector<Watcher>& ws, const CpuMeter& cpu,
                  Clock::time_point t0, Clock::time_point writesDone) {
  Row row;
  row.name = fmt::format("watch: events to {}", plural(watchers, "watcher"));
  Latencies all;
  long received = 0;
  Clock::time_point last = writesDone;
  for (Watcher& w : ws) {
    all.merge(w.latencies);
    received += w.received;
    last = std::max(last, w.done);
    if (!w.error.empty()) {
      ++row.errors;
      b.errors.add(row.name, 0, w.error);
    }
  }
  long events = b.options.watchEvents;
  if (received < events * watchers) {
    b.problems.push_back(fmt::format("{}: {} of {} events delivered (stall or loss)", row.name,
                                     received, events * watchers));
  }
  row.count = static_cast<double>(received);
  row.rate = received / seconds(last - t0);
  row.p50Ms = all.percentileMs(50);
  row.p99Ms = all.percentileMs(99);
  row.note = "latency: create request sent -> event received";
  cpu.stamp(row);
  progress("{}: {:.0f} events/s, create->event p50 {:.2f} ms p99 {:.2f} ms", row.name, *row.rate,
           *row.p50Ms, *row.p99Ms);
  b.report.add(std::move(row));
  Row writes;
  writes.name = fmt::format("  creates meanwhile by {} ({})", plural(b.options.writers, "writer"),
                            plural(watchers, "watcher"));
  writes.count = static_cast<double>(events);
  writes.rate = events / seconds(writesDone - t0);
  b.report.add(std::move(writes));
}

asio::awaitable<void> watchCase(Bench& b, int watchers) {
  auto ex = co_await asio::this_coro::executor;
  std::string ns = fmt::format("bench-watch-{}", watchers);
  ConnectionPtr admin = b.connection(ex);
  bool created = co_await createNamespace(b, *admin, ns);
  if (!created) co_return;
  Response list = co_await admin->request(http::verb::get, configMapsPath(ns));
  if (!success(list)) co_return b.failed("watch list " + ns, list);
  std::string target = configMapsPath(ns) + "?watch=1&timeoutSeconds=600&resourceVersion=" +
                       resourceVersionOf(list.body);
  std::vector<Watcher> ws(static_cast<std::size_t>(watchers));
  for (Watcher& w : ws) {
    w.conn = b.connection(ex);
    co_await w.conn->connect();
  }
  int started = 0;
  WaitGroup watching(ex);
  for (Watcher& w : ws) watching.spawn(runWatcher(w, target, b.options.watchEvents, started));
  co_await waitForStarts(started, watchers, 5s);
  if (started < watchers) progress("only {} of {} watches answered 200 within 5 s", started, watchers);
  CpuMeter cpu(b.server);
  auto t0 = Clock::now();
  int next = 0;
  WaitGroup writing(ex);
  for (int i = 0; i < b.options.writers; ++i) {
    writing.spawn(runWriter(b, ns, next, b.options.watchEvents));
  }
  co_await writing.wait();
  auto writesDone = Clock::now();
  co_await watching.wait();
  addWatchRows(b, watchers, ws, cpu, t0, writesDone);
}

asio::awaitable<void> watchScenario(Bench& b) {
  for (int watchers : b.options.watchers) {
    if (!b.serverAlive("watch")) co_return;
    co_await watchCase(b, watchers);
  }
}

// ---- Open-loop paced creates -----------------------------------------------------

// Sends the creates whose slots it claims; latency counts from the slot's scheduled
// time, so a slow server is charged for the wait it causes (no coordinated omission).
asio::awaitable<void> pacedSender(Bench& b, Connection& c, int& next, Clock::time_point t0,
                                  Clock::duration period, Latencies& latencies, long& errors) {
  for (int i = next++; i < b.options.pacedCount; i = next++) {
    auto scheduled = t0 + period * i;
    co_await sleepUntil(scheduled);
    std::string ns = "bench-paced";
    Response r = co_await createConfigMap(b, c, ns, "p-" + std::to_string(i));
    if (success(r)) {
      latencies.add(Clock::now() - scheduled);
      continue;
    }
    ++errors;
    b.failed("paced create", r);
    if (r.transportFailed() && !b.server.running()) co_return;
  }
}

asio::awaitable<std::vector<ConnectionPtr>> connectMany(Bench& b, int n) {
  auto ex = co_await asio::this_coro::executor;
  std::vector<ConnectionPtr> conns;
  for (int i = 0; i < n; ++i) {
    conns.push_back(b.connection(ex));
    co_await conns.back()->connect();
  }
  co_return conns;
}

void addPacedRows(Bench& b, const Latencies& latencies, long errors, const CpuMeter& cpu,
                  double elapsed) {
  Row row;
  row.name = fmt::format("create at {:.0f}/s open loop, {} objects", b.options.pacedRate,
                         b.options.pacedCount);
  row.count = static_cast<double>(latencies.size());
  row.rate = static_cast<double>(latencies.size()) / elapsed;
  row.p50Ms = latencies.percentileMs(50);
  row.p99Ms = latencies.percentileMs(99);
  row.errors = errors;
  row.target = Target{Target::Kind::AtMost, 20, "p99 <= 20 ms"};
  row.targetOnP99 = true;
  cpu.stamp(row);
  progress("{}: p50 {:.2f} ms, p99 {:.2f} ms, max {:.2f} ms", row.name, *row.p50Ms, *row.p99Ms,
           latencies.percentileMs(100));
  b.report.add(std::move(row));
  for (double p : {99.9, 100.0}) {
    Row tail;
    tail.name = fmt::format("create at {:.0f}/s open loop: {} latency", b.options.pacedRate,
                            p < 100 ? "p99.9" : "max");
    tail.value = latencies.percentileMs(p);
    tail.unit = "ms";
    b.report.add(std::move(tail));
  }
}

asio::awaitable<void> pacedScenario(Bench& b) {
  if (!b.serverAlive("paced creates")) co_return;
  std::vector<ConnectionPtr> conns = co_await connectMany(b, kPacedSenders);
  auto period = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(1.0 / b.options.pacedRate));
  auto t0 = Clock::now() + 50ms;
  int next = 0;
  Latencies latencies;
  long errors = 0;
  CpuMeter cpu(b.server);
  auto ex = co_await asio::this_coro::executor;
  WaitGroup group(ex);
  for (auto& c : conns) group.spawn(pacedSender(b, *c, next, t0, period, latencies, errors));
  co_await group.wait();
  addPacedRows(b, latencies, errors, cpu, seconds(Clock::now() - t0));
}

// ---- Large LISTs ---------------------------------------------------------------------

// Times full LISTs of `ns` (expected to hold `size` items), in milliseconds.
asio::awaitable<std::vector<double>> timeLists(Bench& b, Connection& c, std::string ns, int size) {
  std::vector<double> times;
  std::string kase = fmt::format("LIST {}", size);
  for (int i = 0; i < b.options.listRepeats && b.server.running(); ++i) {
    auto t0 = Clock::now();
    Response r = co_await c.request(http::verb::get, configMapsPath(ns));
    auto elapsed = Clock::now() - t0;
    if (!success(r)) {
      b.failed(kase, r);
      continue;
    }
    if (std::size_t n = itemCount(r.body); n != static_cast<std::size_t>(size)) {
      b.errors.add(kase, 0, fmt::format("LIST returned {} items, expected {}", n, size));
    }
    times.push_back(millis(elapsed));
  }
  co_return times;
}

// Fills a namespace with `size` ConfigMaps, then times full LISTs of it.
asio::awaitable<void> listCase(Bench& b, int size) {
  std::string ns = fmt::format("bench-list-{}", size);
  auto ex = co_await asio::this_coro::executor;
  ConnectionPtr c = b.connection(ex);
  bool created = co_await createNamespace(b, *c, ns);
  if (!created) co_return;
  double fillRate = co_await fill(b, ns, size);
  progress("filled {} with {} ConfigMaps at {:.0f}/s", ns, size, fillRate);
  Response warm = co_await c->request(http::verb::get, configMapsPath(ns));
  std::vector<double> times = co_await timeLists(b, *c, ns, size);
  Latencies all;
  for (double t : times) all.addMs(t);
  Row row;
  row.name = fmt::format("LIST {} ConfigMaps", size);
  row.note = fmt::format("median of {}, {:.1f} MB", times.size(), warm.body.size() / 1e6);
  row.value = all.percentileMs(50);
  row.unit = "ms";
  row.errors = b.options.listRepeats - static_cast<long>(times.size());
  if (size == 10000) row.target = Target{Target::Kind::AtMost, 100, "<= 100 ms"};
  if (size == 1000) row.upstream = "~20 ms";
  progress("{}: {:.1f} ms", row.name, *row.value);
  b.report.add(std::move(row));
}

asio::awaitable<void> listScenario(Bench& b) {
  if (!b.serverAlive("LIST")) co_return;
  co_await listCase(b, 1000);
  if (!b.serverAlive("LIST") || b.options.listSize == 1000) co_return;
  co_await listCase(b, b.options.listSize);
}

asio::awaitable<bool> setupNamespaces(Bench& b) {
  auto ex = co_await asio::this_coro::executor;
  ConnectionPtr c = b.connection(ex);
  static constexpr const char* kNamespaces[] = {"bench-crud", "bench-small", "bench-update",
                                                "bench-paced", "bench-deploy"};
  for (const char* name : kNamespaces) {
    std::string ns = name;
    bool created = co_await createNamespace(b, *c, ns);
    if (!created) co_return false;
  }
  std::string small = "bench-small";
  co_await fill(b, small, kSmallObjects);
  co_return true;
}

}  // namespace

asio::awaitable<void> runLoad(Bench& b) {
  bool ready = co_await setupNamespaces(b);
  if (!ready) {
    b.problems.push_back("could not create the benchmark namespaces");
    co_return;
  }
  if (b.options.enabled("crud")) co_await crudScenario(b);
  if (b.options.enabled("deployment")) co_await deploymentScenario(b);
  if (b.options.enabled("watch")) co_await watchScenario(b);
  if (b.options.enabled("paced")) co_await pacedScenario(b);
  if (b.options.enabled("list")) co_await listScenario(b);
}

ConnectionPtr Bench::connection(asio::any_io_executor executor) {
  return std::make_unique<Connection>(std::move(executor), tls, server.endpoint());
}

bool Bench::serverAlive(const std::string& during) {
  if (server.running()) return true;
  problems.push_back(fmt::format("the server died during {}: {}\n--- last log lines:\n{}", during,
                                 server.exitDescription(), tailOfFile(server.logFile(), 30)));
  return false;
}

std::size_t benchConfigMapCount(const std::string& listBody) {
  auto list = parseObject(listBody);
  const json::value* items = list ? list->if_contains("items") : nullptr;
  if (!items || !items->is_array()) return 0;
  return static_cast<std::size_t>(
      std::count_if(items->get_array().begin(), items->get_array().end(), [](const json::value& v) {
        return v.is_object() && !stringAt(v.get_object(), {"data", "sent"}).empty();
      }));
}

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace kcpp::bench
