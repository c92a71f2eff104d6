// kcpp_api_bench: benchmarks the Kubernetes API of a real `kcpp server`.
//
// It starts the server itself (fresh data dir, free loopback port), drives it over
// HTTPS keep-alive connections with the admin client certificate from the kubeconfig
// the server writes, and stops it with SIGTERM by PID. Measured: ConfigMap create /
// get / list / update at 1, 8 and 32 clients; watch fan-out and create→event latency;
// create latency at a fixed (open-loop) rate; LIST of 10,000 ConfigMaps; idle RSS;
// start→/readyz time with a fresh and an existing data dir. Each figure is printed
// next to its target. The client is one thread on one io_context; progress goes to
// stderr, the table to stdout (to stderr when --json writes JSON to stdout).

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "api_bench_client.h"
#include "api_bench_report.h"
#include "api_bench_server.h"

namespace kcpp::bench {
namespace {

namespace http = beast::http;
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr int kFillClients = 32;
constexpr int kPacedSenders = 32;
constexpr int kSmallObjects = 100;
constexpr double kMiB = 1024.0 * 1024.0;
const char* const kScenarios[] = {"crud", "watch", "paced", "list", "startup"};

struct Options {
  fs::path kcpp;
  double duration = 3;
  std::vector<int> clients = {1, 8, 32};
  std::vector<int> watchers = {1, 100};
  int watchEvents = 2000;
  int writers = 4;
  double pacedRate = 200;
  int pacedCount = 5000;
  int listSize = 10000;
  int listRepeats = 7;
  int restarts = 5;
  int runs = 1;
  std::string json;
  bool keep = false;
  bool quick = false;
  std::vector<std::string> scenarios{std::begin(kScenarios), std::end(kScenarios)};
  std::vector<std::string> serverArgs = {"--disable-agent"};

  bool enabled(const std::string& s) const {
    return std::find(scenarios.begin(), scenarios.end(), s) != scenarios.end();
  }
};

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }
double millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

template <class... Args>
void progress(fmt::format_string<Args...> format, Args&&... args) {
  fmt::print(stderr, "[api-bench] {}\n", fmt::format(format, std::forward<Args>(args)...));
}

bool success(const Response& r) { return r.status >= 200 && r.status < 300; }

std::string plural(int n, const char* word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

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

// ---- The benchmark context -----------------------------------------------------

struct Bench {
  const Options& options;
  ServerProcess& server;
  asio::ssl::context& tls;
  ErrorLog& errors;
  Report& report;
  std::vector<std::string>& problems;
  long created = 0;  // objects this run created in the server's store

  ConnectionPtr connection(asio::any_io_executor ex) {
    return std::make_unique<Connection>(std::move(ex), tls, server.endpoint());
  }
  void failed(const std::string& kase, const Response& r) { errors.add(kase, r.status, r.body); }
  // False (and the death recorded) once the server process is gone.
  bool serverAlive(const std::string& during) {
    if (server.running()) return true;
    problems.push_back(fmt::format("the server died during {}: {}\n--- last log lines:\n{}",
                                   during, server.exitDescription(),
                                   tailOfFile(server.logFile(), 30)));
    return false;
  }
};

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
  if (success(r)) ++b.created;
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

enum class Op { Create, Get, List, Update };

const char* opName(Op op) {
  switch (op) {
    case Op::Create: return "create";
    case Op::Get: return "get";
    case Op::List: return "list (100 objects)";
    case Op::Update: return "update (PUT with resourceVersion)";
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
    if (success(r)) {
      w.latencies.add(elapsed);
      ++w.ops;
      if (op == Op::Create) ++b.created;
      if (op == Op::Update) w.resourceVersion = resourceVersionOf(r.body);
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
  return row;
}

asio::awaitable<void> crudCase(Bench& b, Op op, int clients) {
  std::vector<Worker> workers(static_cast<std::size_t>(clients));
  bool prepared = co_await prepareWorkers(b, op, workers, clients);
  if (!prepared) co_return;
  auto ex = co_await asio::this_coro::executor;
  std::string kase = fmt::format("{} x{}", opName(op), clients);
  auto t0 = Clock::now();
  auto deadline = t0 + std::chrono::duration_cast<Clock::duration>(
                           std::chrono::duration<double>(b.options.duration));
  WaitGroup group(ex);
  for (Worker& w : workers) group.spawn(runWorker(b, op, w, clients, kase, deadline));
  co_await group.wait();
  Row row = crudRow(op, clients, workers, seconds(Clock::now() - t0));
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

void addWatchRows(Bench& b, int watchers, std::vector<Watcher>& ws, Clock::time_point t0,
                  Clock::time_point writesDone) {
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
  progress("{}: {:.0f} events/s, create->event p50 {:.2f} ms p99 {:.2f} ms", row.name, *row.rate,
           *row.p50Ms, *row.p99Ms);
  b.report.add(std::move(row));
  Row writes;
  writes.name = fmt::format("  creates meanwhile ({})", plural(b.options.writers, "writer"));
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
  auto t0 = Clock::now();
  int next = 0;
  WaitGroup writing(ex);
  for (int i = 0; i < b.options.writers; ++i) {
    writing.spawn(runWriter(b, ns, next, b.options.watchEvents));
  }
  co_await writing.wait();
  auto writesDone = Clock::now();
  co_await watching.wait();
  addWatchRows(b, watchers, ws, t0, writesDone);
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

asio::awaitable<void> pacedScenario(Bench& b) {
  if (!b.serverAlive("paced creates")) co_return;
  auto ex = co_await asio::this_coro::executor;
  std::vector<ConnectionPtr> conns;
  for (int i = 0; i < kPacedSenders; ++i) {
    conns.push_back(b.connection(ex));
    co_await conns.back()->connect();
  }
  auto period = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(1.0 / b.options.pacedRate));
  auto t0 = Clock::now() + 50ms;
  int next = 0;
  Latencies latencies;
  Row row;
  WaitGroup group(ex);
  for (auto& c : conns) {
    group.spawn(pacedSender(b, *c, next, t0, period, latencies, row.errors));
  }
  co_await group.wait();
  row.name = fmt::format("create at {:.0f}/s open loop, {} objects", b.options.pacedRate,
                         b.options.pacedCount);
  row.count = static_cast<double>(latencies.size());
  row.rate = static_cast<double>(latencies.size()) / seconds(Clock::now() - t0);
  row.p50Ms = latencies.percentileMs(50);
  row.p99Ms = latencies.percentileMs(99);
  row.target = Target{Target::Kind::AtMost, 20, "p99 <= 20 ms"};
  row.targetOnP99 = true;
  progress("{}: p50 {:.2f} ms, p99 {:.2f} ms, max {:.2f} ms", row.name, *row.p50Ms, *row.p99Ms,
           latencies.percentileMs(100));
  b.report.add(std::move(row));
}

// ---- Large LISTs ---------------------------------------------------------------------

// Fills a namespace with `size` ConfigMaps, then times full LISTs of it.
asio::awaitable<void> listCase(Bench& b, int size) {
  auto ex = co_await asio::this_coro::executor;
  std::string ns = fmt::format("bench-list-{}", size);
  ConnectionPtr c = b.connection(ex);
  bool created = co_await createNamespace(b, *c, ns);
  if (!created) co_return;
  double fillRate = co_await fill(b, ns, size);
  progress("filled {} with {} ConfigMaps at {:.0f}/s", ns, size, fillRate);
  Response warm = co_await c->request(http::verb::get, configMapsPath(ns));
  std::vector<double> times;
  std::string kase = fmt::format("LIST {}", size);
  for (int i = 0; i < b.options.listRepeats && b.server.running(); ++i) {
    auto t0 = Clock::now();
    Response r = co_await c->request(http::verb::get, configMapsPath(ns));
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
  progress("{}: {:.1f} ms ({:.2f} MB body)", row.name, *row.value, warm.body.size() / 1e6);
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
                                                "bench-paced"};
  for (const char* name : kNamespaces) {
    std::string ns = name;
    bool created = co_await createNamespace(b, *c, ns);
    if (!created) co_return false;
  }
  std::string small = "bench-small";
  co_await fill(b, small, kSmallObjects);
  co_return true;
}

// ---- Server lifecycle: RSS and start → ready -----------------------------------------------

Row figure(std::string name, std::optional<double> value, std::string unit,
           std::optional<Target> target = std::nullopt, std::string upstream = {}) {
  Row row;
  row.name = std::move(name);
  row.value = value;
  row.unit = std::move(unit);
  row.target = std::move(target);
  row.upstream = std::move(upstream);
  return row;
}

std::optional<double> mib(std::optional<long> kib) {
  if (!kib) return std::nullopt;
  return *kib * 1024.0 / kMiB;
}

Target rssTarget() { return Target{Target::Kind::AtMost, 30e6 / kMiB, "<= 30 MB"}; }
Target readyTarget() { return Target{Target::Kind::AtMost, 0.3, "<= 0.3 s"}; }

struct Lifecycle {
  std::vector<double> fresh;     // start → ready with a fresh data dir
  std::vector<double> existing;  // ... restarted on a small existing data dir
  std::vector<double> loaded;    // ... restarted on the loaded data dir
};

double median(std::vector<double> v) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

ServerOptions serverOptions(const Options& o, fs::path dataDir) {
  return ServerOptions{o.kcpp, std::move(dataDir), o.serverArgs};
}

// Starts a server and waits for /readyz: its ready time is appended to `times`.
asio::awaitable<std::optional<ServerProcess>> startReady(const Options& o, const fs::path& dir,
                                                         std::vector<double>& times,
                                                         std::vector<std::string>& problems) {
  auto server = ServerProcess::start(serverOptions(o, dir));
  if (!server) {
    problems.push_back(server.error().message);
    co_return std::nullopt;
  }
  auto ready = co_await server->waitReady(30s);
  if (!ready) {
    problems.push_back(fmt::format("server on {} never got ready: {}\n--- last log lines:\n{}",
                                   dir.string(), ready.error().message,
                                   tailOfFile(server->logFile(), 30)));
    co_return std::nullopt;
  }
  times.push_back(*ready);
  co_return std::move(*server);
}

asio::awaitable<void> stopChecked(ServerProcess& server, std::vector<std::string>& problems,
                                  std::optional<double>* stopSeconds = nullptr) {
  StopResult stopped = co_await server.stop();
  if (!stopped.clean) {
    problems.push_back(fmt::format("server pid {} did not stop cleanly on SIGTERM: {}\n--- last "
                                   "log lines:\n{}", server.pid(), stopped.how,
                                   tailOfFile(server.logFile(), 20)));
  }
  if (stopSeconds) *stopSeconds = stopped.seconds;
}

// Fresh starts, each followed by a restart on the same (small) data dir.
asio::awaitable<void> freshStarts(const Options& o, const fs::path& root, Lifecycle& life,
                                  std::vector<std::string>& problems) {
  for (int i = 0; i < o.restarts; ++i) {
    fs::path dir = root / fmt::format("fresh-{}", i);
    fs::create_directories(dir);
    std::vector<double>* samples[] = {&life.fresh, &life.existing};
    for (std::vector<double>* times : samples) {
      auto server = co_await startReady(o, dir, *times, problems);
      if (!server) co_return;
      co_await stopChecked(*server, problems);
    }
  }
  progress("start->ready: fresh {:.3f} s, existing {:.3f} s (medians of {})", median(life.fresh),
           median(life.existing), life.fresh.size());
}

void addLifecycleRows(Report& report, const Lifecycle& life) {
  auto med = [](const std::vector<double>& v) -> std::optional<double> {
    if (v.empty()) return std::nullopt;
    return median(v);
  };
  auto add = [&report, &med](std::string name, const std::vector<double>& samples,
                             std::optional<Target> target) {
    Row row = figure(std::move(name), med(samples), "s", std::move(target), "~4.5 s");
    row.note = fmt::format("median of {}", samples.size());
    report.add(std::move(row));
  };
  add("start -> /readyz 200, fresh data dir", life.fresh, std::nullopt);
  add("start -> /readyz 200, existing data dir (empty)", life.existing, readyTarget());
  add("start -> /readyz 200, existing data dir (loaded)", life.loaded, readyTarget());
}

// ---- One whole run ---------------------------------------------------------------------

asio::awaitable<void> runLoad(Bench& b) {
  bool ready = co_await setupNamespaces(b);
  if (!ready) {
    b.problems.push_back("could not create the benchmark namespaces");
    co_return;
  }
  if (b.options.enabled("crud")) co_await crudScenario(b);
  if (b.options.enabled("watch")) co_await watchScenario(b);
  if (b.options.enabled("paced")) co_await pacedScenario(b);
  if (b.options.enabled("list")) co_await listScenario(b);
}

struct RunResult {
  Report report;
  ErrorLog errors;
  std::vector<std::string> problems;
};

asio::awaitable<void> restartsOnLoaded(const Options& o, const fs::path& dir, Lifecycle& life,
                                       RunResult& out) {
  for (int i = 0; i < o.restarts; ++i) {
    auto server = co_await startReady(o, dir, life.loaded, out.problems);
    if (!server) co_return;
    if (i == 0) {
      co_await sleepFor(2s);
      out.report.add(figure("idle RSS after restart on the loaded data dir",
                            mib(server->rssKiB()), "MiB"));
    }
    co_await stopChecked(*server, out.problems);
  }
}

// The main server: load, then idle RSS; stop, then restarts on its data dir.
asio::awaitable<void> mainServer(const Options& o, const fs::path& dir, Lifecycle& life,
                                 RunResult& out) {
  auto server = co_await startReady(o, dir, life.fresh, out.problems);
  if (!server) co_return;
  co_await sleepFor(1s);
  out.report.add(figure("idle RSS after start (empty cluster)", mib(server->rssKiB()), "MiB",
                        rssTarget(), "~320 MiB"));
  auto config = pki::readKubeconfig(server->kubeconfig());
  auto tls = config ? makeClientTls(*config) : Result<TlsContextPtr>(config.error());
  if (!tls) co_return out.problems.push_back("client TLS: " + tls.error().message);
  Bench b{o, *server, **tls, out.errors, out.report, out.problems};
  co_await runLoad(b);
  if (!b.serverAlive("the end of the load")) co_return;
  co_await sleepFor(2s);
  out.report.add(figure("idle RSS after the load", mib(server->rssKiB()), "MiB"));
  out.report.add(figure("peak RSS (VmHWM) during the load", mib(server->peakRssKiB()), "MiB"));
  out.report.add(figure("objects created by the load", static_cast<double>(b.created), "objs"));
  std::optional<double> stopSeconds;
  co_await stopChecked(*server, out.problems, &stopSeconds);
  out.report.add(figure("SIGTERM -> exit after the load", stopSeconds, "s"));
  if (o.enabled("startup")) co_await restartsOnLoaded(o, dir, life, out);
}

asio::awaitable<RunResult> runOnce(const Options& o, const fs::path& root) {
  RunResult out;
  Lifecycle life;
  if (o.enabled("startup")) co_await freshStarts(o, root, life, out.problems);
  fs::path dir = root / "main";
  fs::create_directories(dir);
  co_await mainServer(o, dir, life, out);
  if (o.enabled("startup")) addLifecycleRows(out.report, life);
  co_return out;
}

// ---- Output --------------------------------------------------------------------------

std::string readFirstLine(const char* path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

std::map<std::string, std::string> meta(const Options& o) {
  return {{"kcpp", o.kcpp.string()},
          {"cpus", std::to_string(sysconf(_SC_NPROCESSORS_ONLN))},
          {"loadavg", readFirstLine("/proc/loadavg")},
          {"runs", std::to_string(o.runs)},
          {"crudSecondsPerCase", fmt::format("{}", o.duration)},
          {"client", "1 thread, one keep-alive TLS connection per client"}};
}

void printProblems(std::FILE* out, const std::vector<RunResult>& runs) {
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const RunResult& r = runs[i];
    if (!r.errors.empty()) fmt::print(out, "\nErrors (run {}):\n{}", i + 1, r.errors.summary());
    for (const std::string& p : r.problems) fmt::print(out, "\nSERVER PROBLEM (run {}): {}\n", i + 1, p);
  }
}

bool anyProblem(const std::vector<RunResult>& runs) {
  return std::any_of(runs.begin(), runs.end(), [](const RunResult& r) { return !r.problems.empty(); });
}

int output(const Options& o, const std::vector<RunResult>& runs) {
  std::vector<Report> reports;
  for (const RunResult& r : runs) reports.push_back(r.report);
  Report summary = Report::median(reports);
  bool jsonToStdout = o.json == "-";
  std::FILE* tableOut = jsonToStdout ? stderr : stdout;
  std::string title = fmt::format("kcpp API benchmark: {} ({} CPUs, loadavg {}){}", o.kcpp.string(),
                                  sysconf(_SC_NPROCESSORS_ONLN), readFirstLine("/proc/loadavg"),
                                  runs.size() > 1 ? fmt::format(", median of {} runs", runs.size()) : "");
  fmt::print(tableOut, "\n{}", summary.table(title));
  printProblems(tableOut, runs);
  if (jsonToStdout) fmt::print(stdout, "{}", summary.json(meta(o)));
  if (!o.json.empty() && !jsonToStdout) std::ofstream(o.json) << summary.json(meta(o));
  return anyProblem(runs) ? 1 : 0;
}

asio::awaitable<int> runAll(const Options& o) {
  auto root = TempDir::create("kcpp-api-bench-");
  if (!root) {
    fmt::print(stderr, "{}\n", root.error().message);
    co_return 2;
  }
  if (o.keep) root->keep();
  progress("server {} ; data under {}", o.kcpp.string(), root->path().string());
  std::vector<RunResult> runs;
  for (int i = 0; i < o.runs; ++i) {
    fs::path dir = root->path() / fmt::format("run-{}", i + 1);
    fs::create_directories(dir);
    RunResult result = co_await runOnce(o, dir);
    runs.push_back(std::move(result));
    if (o.runs > 1) fmt::print(stderr, "\n{}", runs.back().report.table(fmt::format("run {}", i + 1)));
  }
  co_return output(o, runs);
}

// ---- Options ---------------------------------------------------------------------------

fs::path defaultKcpp() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return self.parent_path().parent_path() / "kcpp";  // build/bench/x → build/kcpp
}

void addOptions(CLI::App& app, Options& o) {
  app.add_option("--kcpp", o.kcpp, "The kcpp binary (default: ../kcpp next to this program)");
  app.add_option("--duration", o.duration, "Seconds per create/get/list/update case")->capture_default_str();
  app.add_option("--clients", o.clients, "Concurrent clients of the CRUD cases")->delimiter(',')->capture_default_str();
  app.add_option("--watchers", o.watchers, "Watcher counts of the watch cases")->delimiter(',')->capture_default_str();
  app.add_option("--watch-events", o.watchEvents, "Objects created per watch case")->capture_default_str();
  app.add_option("--writers", o.writers, "Writers creating objects during a watch case")->capture_default_str();
  app.add_option("--paced-rate", o.pacedRate, "Creates per second of the open-loop case")->capture_default_str();
  app.add_option("--paced-count", o.pacedCount, "Creates of the open-loop case")->capture_default_str();
  app.add_option("--list-size", o.listSize, "ConfigMaps in the large LIST")->capture_default_str();
  app.add_option("--list-repeats", o.listRepeats, "Timed LISTs (the median is reported)")->capture_default_str();
  app.add_option("--restarts", o.restarts, "Server starts per start->ready figure")->capture_default_str();
  app.add_option("--runs", o.runs, "Whole runs; the table shows per-figure medians")->capture_default_str();
  app.add_option("--scenarios", o.scenarios, "Subset of crud,watch,paced,list,startup")->delimiter(',');
  app.add_option("--server-arg", o.serverArgs, "Extra `kcpp server` arguments")->capture_default_str();
  app.add_option("--json", o.json, "Also write JSON results to FILE ('-': stdout, table to stderr)");
  app.add_flag("--keep", o.keep, "Keep the data dirs and server logs");
  app.add_flag("--quick", o.quick, "A short smoke run (smaller counts, shorter cases)");
}

// --quick shrinks whatever the command line did not set.
void applyQuick(const CLI::App& app, Options& o) {
  if (!o.quick) return;
  auto unset = [&app](const char* name) { return app.count(name) == 0; };
  if (unset("--duration")) o.duration = 0.5;
  if (unset("--watchers")) o.watchers = {1, 10};
  if (unset("--watch-events")) o.watchEvents = 300;
  if (unset("--paced-count")) o.pacedCount = 400;
  if (unset("--list-size")) o.listSize = 2000;
  if (unset("--list-repeats")) o.listRepeats = 3;
  if (unset("--restarts")) o.restarts = 2;
}

int run(int argc, char** argv) {
  Options o;
  CLI::App app{"kcpp_api_bench: Kubernetes API benchmark against a real `kcpp server`"};
  addOptions(app, o);
  CLI11_PARSE(app, argc, argv);
  applyQuick(app, o);
  if (o.kcpp.empty()) o.kcpp = defaultKcpp();
  if (!fs::exists(o.kcpp)) {
    fmt::print(stderr, "no kcpp binary at {} (build it, or pass --kcpp)\n", o.kcpp.string());
    return 2;
  }
  asio::io_context io(1);
  int rc = 2;
  asio::co_spawn(io, runAll(o), [&rc](std::exception_ptr e, int result) {
    if (e) std::rethrow_exception(e);
    rc = result;
  });
  io.run();
  return rc;
}

}  // namespace
}  // namespace kcpp::bench

int main(int argc, char** argv) { return kcpp::bench::run(argc, argv); }
