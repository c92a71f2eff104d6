// kcpp_api_bench: benchmarks the Kubernetes API of a real `kcpp server`.
//
// It starts the server itself (fresh data dir, free loopback port), drives it over
// HTTPS keep-alive connections with the admin client certificate from the kubeconfig
// the server writes, and stops it with SIGTERM by PID. Measured: ConfigMap create /
// get / list / update and ~2.5 KB Deployment creates at 1, 8 and 32 clients; watch
// fan-out and create→event latency; create latency at a fixed (open-loop) rate; LIST
// of 10,000 ConfigMaps; idle RSS; start→/readyz time with a fresh and an existing data
// dir. Each figure is printed next to its target. The client is one thread on one
// io_context; progress goes to stderr, the table to stdout (to stderr when --json
// writes JSON to stdout).
//
//   cmake --build build --target kcpp kcpp_api_bench
//   build/bench/kcpp_api_bench [--runs 3] [--json FILE|-] [--quick] [--scenarios crud,list]

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/verb.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>

#include "api_bench_client.h"
#include "api_bench_load.h"
#include "api_bench_report.h"
#include "api_bench_security.h"
#include "api_bench_server.h"

namespace kcpp::bench {
namespace {

using namespace std::chrono_literals;

constexpr double kMiB = 1024.0 * 1024.0;

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
  std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
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

// SIGTERM → exit in seconds; an unclean stop is recorded as a problem.
asio::awaitable<double> stopChecked(ServerProcess& server, std::vector<std::string>& problems) {
  StopResult stopped = co_await server.stop();
  if (!stopped.clean) {
    problems.push_back(fmt::format("server pid {} did not stop cleanly on SIGTERM: {}\n--- last "
                                   "log lines:\n{}", server.pid(), stopped.how,
                                   tailOfFile(server.logFile(), 20)));
  }
  co_return stopped.seconds;
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

struct RunResult {
  Report report;
  ErrorLog errors;
  std::vector<std::string> problems;
};

Result<TlsContextPtr> clientTlsFor(const ServerProcess& server) {
  auto config = pki::readKubeconfig(server.kubeconfig());
  if (!config) return std::move(config).error();
  return makeClientTls(*config);
}

// After a restart: are all the ConfigMaps the load created still there?
asio::awaitable<void> checkDurability(ServerProcess& server, long expected, RunResult& out) {
  auto tls = clientTlsFor(server);
  if (!tls) co_return out.problems.push_back("client TLS: " + tls.error().message);
  auto executor = co_await asio::this_coro::executor;
  Connection c(executor, **tls, server.endpoint());
  std::string target = "/api/v1/configmaps";
  Response r = co_await c.request(beast::http::verb::get, std::move(target));
  if (r.status != 200) co_return out.errors.add("LIST all ConfigMaps after restart", r.status, r.body);
  auto found = static_cast<long>(benchConfigMapCount(r.body));
  out.report.add(figure("ConfigMaps created by the load", static_cast<double>(expected), "objs"));
  out.report.add(figure("  ... found after SIGTERM + restart", static_cast<double>(found), "objs"));
  if (found != expected) {
    out.problems.push_back(fmt::format("after SIGTERM and a restart the server lists {} of the {} "
                                       "ConfigMaps the load created", found, expected));
  }
}

asio::awaitable<void> restartsOnLoaded(const Options& o, const fs::path& dir, long configMaps,
                                       Lifecycle& life, RunResult& out) {
  int restarts = o.enabled("startup") ? o.restarts : 1;
  for (int i = 0; i < restarts; ++i) {
    auto server = co_await startReady(o, dir, life.loaded, out.problems);
    if (!server) co_return;
    if (i == 0) {
      co_await sleepFor(2s);
      out.report.add(figure("idle RSS after restart on the loaded data dir",
                            mib(server->rssKiB()), "MiB"));
      co_await checkDurability(*server, configMaps, out);
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
  auto tls = clientTlsFor(*server);
  if (!tls) co_return out.problems.push_back("client TLS: " + tls.error().message);
  Bench b{o, *server, **tls, out.errors, out.report, out.problems};
  co_await runLoad(b);
  if (!b.serverAlive("the end of the load")) co_return;
  co_await sleepFor(2s);
  out.report.add(figure("idle RSS after the load", mib(server->rssKiB()), "MiB"));
  out.report.add(figure("peak RSS (VmHWM) during the load", mib(server->peakRssKiB()), "MiB"));
  out.report.add(figure("objects created by the load", static_cast<double>(b.created), "objs"));
  double stopSeconds = co_await stopChecked(*server, out.problems);
  out.report.add(figure("SIGTERM -> exit after the load", stopSeconds, "s"));
  co_await restartsOnLoaded(o, dir, b.configMaps, life, out);
}

// Whether any scenario but "security" (which runs its own servers) is asked for.
bool wantsMainServer(const Options& o) {
  return std::any_of(o.scenarios.begin(), o.scenarios.end(),
                     [](const std::string& s) { return s != "security"; });
}

asio::awaitable<RunResult> runOnce(const Options& o, const fs::path& root) {
  RunResult out;
  if (o.enabled("security")) {
    co_await securityScenario(o, root, out.report, out.errors, out.problems);
    if (!wantsMainServer(o)) co_return out;
  }
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
  auto number = [&app](const char* name, auto& value, const char* help) {
    app.add_option(name, value, help)->capture_default_str();
  };
  auto list = [&app](const char* name, auto& value, const char* help) {
    app.add_option(name, value, help)->delimiter(',')->capture_default_str();
  };
  app.add_option("--kcpp", o.kcpp, "The kcpp binary (default: ../kcpp next to this program)");
  number("--duration", o.duration, "Seconds per create/get/list/update case");
  list("--clients", o.clients, "Concurrent clients of the CRUD cases");
  list("--watchers", o.watchers, "Watcher counts of the watch cases");
  number("--watch-events", o.watchEvents, "Objects created per watch case");
  number("--writers", o.writers, "Writers creating objects during a watch case");
  number("--paced-rate", o.pacedRate, "Creates per second of the open-loop case");
  number("--paced-count", o.pacedCount, "Creates of the open-loop case");
  number("--list-size", o.listSize, "ConfigMaps in the large LIST");
  number("--list-repeats", o.listRepeats, "Timed LISTs (the median is reported)");
  number("--restarts", o.restarts, "Server starts per start->ready figure");
  number("--runs", o.runs, "Whole runs; the table shows per-figure medians");
  list("--scenarios", o.scenarios, "Any of crud,deployment,watch,paced,list,startup,security (security: not by default)");
  number("--server-arg", o.serverArgs, "Extra `kcpp server` arguments (repeatable)");
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
  // Ctrl-C stops the io_context: destroying the pending coroutines stops the servers
  // (SIGTERM by PID) and removes the data dirs.
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&io](boost::system::error_code ec, int) {
    if (!ec) io.stop();
  });
  int rc = 2;
  asio::co_spawn(io, runAll(o), [&rc, &signals](std::exception_ptr e, int result) {
    signals.cancel();
    if (e) std::rethrow_exception(e);
    rc = result;
  });
  io.run();
  return rc;
}

}  // namespace
}  // namespace kcpp::bench

int main(int argc, char** argv) { return kcpp::bench::run(argc, argv); }
