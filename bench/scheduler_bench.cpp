// kcpp_scheduler_bench: scheduler throughput and create → bound latency.
//
// For each node count, starts a fresh `kcpp server` (a real process on a
// loopback port), creates the Node objects through the API (allocatable and a
// Ready condition; no kubelet), runs the scheduler in-process on its own
// thread, creates plain pods from a second thread with many requests in
// flight, and watches them get bound. Throughput is pods / (first create →
// last bound seen by the watch); latency is per pod, create sent → bound seen.
//
//   build/bench/kcpp_scheduler_bench --nodes 1000 5000 --pods 5000 --runs 3

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include <sys/resource.h>
#include <unordered_map>

#include "api/meta/object.h"
#include "api_bench_server.h"
#include "client/informer/informer_factory.h"
#include "client/rest/rest_client.h"
#include "pki/kubeconfig.h"
#include "scheduler/plugins/registry.h"
#include "scheduler/scheduler.h"

namespace kcpp::bench {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct Options {
  std::string binary = "build/kcpp";
  std::vector<int> nodes{1000, 5000};
  int pods = 5000;
  int runs = 3;
  int inFlight = 64;  // concurrent creates
  std::vector<std::string> serverArgs;
  int bindsInFlight = 64;
  bool createOnly = false;
  bool precreate = false;   // create every pod first, then start the scheduler: its own rate  // no scheduler: how fast the server takes the pods alone
};

struct RunFigures {
  double podsPerSecond = 0;
  double p50Ms = 0, p99Ms = 0;
  int bound = 0;
  double serverCpuSeconds = 0, benchSeconds = 0;
};

client::ClientOptions fastClient(const std::string& agent) {
  client::ClientOptions o;
  o.qps = 1e6;
  o.burst = 1000000;
  o.userAgent = agent;
  o.maxIdleConnections = 128;
  return o;
}

json::object nodeObject(int i) {
  json::object resources{{"cpu", "32"}, {"memory", "128Gi"}, {"pods", "110"}};
  std::string name = fmt::format("node-{:05d}", i);
  json::object node{{"apiVersion", "v1"}, {"kind", "Node"}};
  node["metadata"] = json::object{{"name", name}, {"labels", json::object{{"kubernetes.io/hostname", name}}}};
  node["status"] = json::object{{"capacity", resources},
                                {"allocatable", resources},
                                {"conditions", json::array{json::object{{"type", "Ready"}, {"status", "True"}}}}};
  return node;
}

json::object podObject(int i) {
  json::object pod = json::parse(R"({"apiVersion":"v1","kind":"Pod","spec":{"containers":[
      {"name":"c","image":"registry.k8s.io/pause:3.9","resources":{"requests":{"cpu":"10m","memory":"16Mi"}}}]}})")
                         .as_object();
  pod["metadata"] = json::object{{"name", fmt::format("pod-{:06d}", i)}, {"namespace", "default"}};
  return pod;
}

// Runs `count` calls of make(i) with `inFlight` coroutines at a time.
template <class Make>
asio::awaitable<int> forEach(int count, int inFlight, Make make) {
  auto executor = co_await asio::this_coro::executor;
  int next = 0, failed = 0, running = 0;
  asio::steady_timer done(executor, Clock::time_point::max());
  auto worker = [&]() -> asio::awaitable<void> {
    while (next < count) {
      int i = next++;
      bool ok = co_await make(i);
      if (!ok) ++failed;
    }
    if (--running == 0) done.cancel();
  };
  for (int w = 0; w < std::min(inFlight, count); ++w) {
    ++running;
    asio::co_spawn(executor, worker(), asio::detached);
  }
  boost::system::error_code ec;
  co_await done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  co_return failed;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  auto index = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  return v[index];
}

Result<RunFigures> runOnce(const Options& o, int nodes) {
  auto dir = TempDir::create("kcpp-sched-bench-");
  if (!dir) return std::move(dir).error();
  // The server's own scheduler would race this one for every pod (both are the
  // default-scheduler): only the one under test schedules.
  ServerOptions serverOptions{o.binary, dir->path(), {"--disable-agent", "--disable-scheduler"}};
  for (const std::string& a : o.serverArgs) serverOptions.extraArgs.push_back(a);
  auto server = ServerProcess::start(serverOptions);
  if (!server) return std::move(server).error();
  asio::io_context driverIo;
  std::optional<Result<double>> ready;
  asio::co_spawn(driverIo, [&]() -> asio::awaitable<void> { ready.emplace(co_await server->waitReady(60s)); },
                 asio::detached);
  driverIo.run();
  if (!ready || !*ready) return ready ? ready->error() : makeError(Reason::InternalError, "server not ready");
  auto kubeconfig = pki::readKubeconfig(server->kubeconfig());
  if (!kubeconfig) return std::move(kubeconfig).error();
  driverIo.restart();
  auto driver = client::RestClient::create(driverIo.get_executor(), *kubeconfig, fastClient("bench-driver"));
  if (!driver) return std::move(driver).error();
  client::RestClient& api = **driver;

  // Nodes, through the API.
  auto nodesMade = asio::co_spawn(driverIo, forEach(nodes, o.inFlight, [&](int i) -> asio::awaitable<bool> {
    json::object node = nodeObject(i);
    client::ResourcePath path{"", "v1", "nodes", "", "", "", ""};
    auto created = co_await api.create(path, node);
    if (!created) co_return false;
    json::object status{{"status", node["status"]}};
    client::ResourcePath statusPath{"", "v1", "nodes", "", std::string(api::metaName(node)), "status", ""};
    auto patched = co_await api.patch(statusPath, "application/merge-patch+json", json::serialize(status));
    co_return patched.ok();
  }), asio::use_future);
  driverIo.run();
  if (int failed = nodesMade.get(); failed > 0) return makeError(Reason::InternalError, fmt::format("{} node creates failed", failed));
  driverIo.restart();

  // The scheduler, in-process on its own thread and io_context.
  auto schedulerIo = std::make_unique<asio::io_context>();
  auto schedClient = client::RestClient::create(schedulerIo->get_executor(), *kubeconfig, fastClient("kcpp-scheduler"));
  if (!schedClient) return std::move(schedClient).error();
  auto schedInformers = std::make_unique<client::InformerFactory>(**schedClient);
  scheduler::SchedulerOptions schedOptions;
  schedOptions.profiles = {scheduler::plugins::defaultProfile()};
  schedOptions.maxBindsInFlight = o.bindsInFlight;
  auto sched = scheduler::Scheduler::create(**schedClient, *schedInformers, schedulerIo->get_executor(), schedOptions,
                                            scheduler::plugins::inTreeRegistry());
  if (!sched) return std::move(sched).error();
  if (!o.createOnly && !o.precreate) asio::co_spawn(*schedulerIo, (*sched)->run(), asio::detached);
  auto work = asio::make_work_guard(*schedulerIo);
  std::thread schedulerThread([&] { schedulerIo->run(); });
  // Wait for the scheduler's caches (its node list).
  for (int i = 0; i < 600 && !o.createOnly && !o.precreate; ++i) {
    auto synced = asio::post(*schedulerIo, asio::use_future([&] { return schedInformers->hasSynced(); }));
    if (synced.get()) break;
    std::this_thread::sleep_for(50ms);
  }

  // The driver's watch on pods: when each one is seen bound.
  std::unordered_map<std::string, Clock::time_point> sent, bound;
  client::InformerFactory watchFactory(api);
  client::Informer& podsWatch = watchFactory.forResource("", "v1", "pods");
  Clock::time_point lastBound;
  auto onPod = [&](const client::ObjectPtr& p) {
    const json::value* node = api::findPath(*p, "spec.nodeName");
    if (!node || !node->is_string() || node->get_string().empty()) return;
    std::string name(api::metaName(*p));
    if (bound.emplace(name, Clock::now()).second) lastBound = Clock::now();
  };
  client::EventHandlers handlers;
  handlers.onAdd = onPod;
  handlers.onUpdate = [&](const client::ObjectPtr&, const client::ObjectPtr& n) { onPod(n); };
  podsWatch.addHandlers(handlers);
  watchFactory.start(driverIo.get_executor());
  auto watchSynced = asio::co_spawn(driverIo, watchFactory.waitForSync(30s), asio::use_future);
  driverIo.run_for(30s);
  driverIo.restart();
  (void)watchSynced;

  double cpuBefore = server->cpuSeconds().value_or(0);
  auto selfCpu = [] {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  };
  double selfBefore = selfCpu();
  Clock::time_point lastCreated;
  Clock::time_point start = Clock::now();
  auto podsMade = asio::co_spawn(driverIo, forEach(o.pods, o.inFlight, [&](int i) -> asio::awaitable<bool> {
    json::object pod = podObject(i);
    sent[std::string(api::metaName(pod))] = Clock::now();
    client::ResourcePath path{"", "v1", "pods", "default", "", "", ""};
    auto created = co_await api.create(path, pod);
    lastCreated = Clock::now();
    co_return created.ok();
  }), asio::use_future);
  if (o.precreate) {
    while (podsMade.wait_for(0s) != std::future_status::ready) driverIo.run_for(50ms);
    std::fprintf(stderr, "  %d pods created in %.2f s; starting the scheduler\n", o.pods,
                 std::chrono::duration<double>(Clock::now() - start).count());
    start = Clock::now();
    asio::post(*schedulerIo, [&] { asio::co_spawn(*schedulerIo, (*sched)->run(), asio::detached); });
  }
  Clock::time_point deadline = start + std::chrono::seconds(30 + o.pods / 100);
  while (Clock::now() < deadline && static_cast<int>(bound.size()) < o.pods) {
    driverIo.run_for(50ms);
    if (o.createOnly && podsMade.wait_for(0s) == std::future_status::ready) break;
  }
  int createFailures = podsMade.wait_for(0s) == std::future_status::ready ? podsMade.get() : -1;
  RunFigures f;
  f.bound = static_cast<int>(bound.size());
  double seconds = std::chrono::duration<double>(lastBound - start).count();
  f.podsPerSecond = seconds > 0 ? f.bound / seconds : 0;
  f.serverCpuSeconds = server->cpuSeconds().value_or(0) - cpuBefore;
  f.benchSeconds = seconds;
  std::vector<double> latencies;
  for (const auto& [name, at] : bound) {
    auto s = sent.find(name);
    if (s != sent.end()) latencies.push_back(std::chrono::duration<double, std::milli>(at - s->second).count());
  }
  f.p50Ms = percentile(latencies, 0.50);
  f.p99Ms = percentile(latencies, 0.99);
  std::fprintf(stderr, "  bench process (scheduler + driver) CPU %.2f s\n", selfCpu() - selfBefore);
  std::fprintf(stderr, "  creates took %.2f s\n", std::chrono::duration<double>(lastCreated - start).count());
  if (createFailures != 0) std::fprintf(stderr, "  (%d pod creates failed or unfinished)\n", createFailures);

  watchFactory.stop();
  asio::post(*schedulerIo, [&] {
    (*sched)->stop();
    schedInformers->stop();
  });
  std::this_thread::sleep_for(300ms);
  schedulerIo->stop();
  schedulerThread.join();
  auto stopped = asio::co_spawn(driverIo, server->stop(), asio::use_future);
  driverIo.run_for(15s);
  // Suspended coroutines still refer to these: keep them for the process's life.
  static std::vector<std::shared_ptr<void>> keep;
  keep.push_back(std::shared_ptr<void>(schedulerIo.release(), [](void*) {}));
  keep.push_back(std::shared_ptr<void>(sched->release(), [](void*) {}));
  keep.push_back(std::shared_ptr<void>(schedInformers.release(), [](void*) {}));
  keep.push_back(std::shared_ptr<void>(schedClient->release(), [](void*) {}));
  (void)stopped;
  return f;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace
}  // namespace kcpp::bench

int main(int argc, char** argv) {
  using namespace kcpp::bench;
  Options o;
  CLI::App app{"kcpp scheduler benchmark"};
  app.add_option("--kcpp", o.binary, "the kcpp binary")->capture_default_str();
  app.add_option("--nodes", o.nodes, "node counts")->capture_default_str();
  app.add_option("--pods", o.pods, "pods per run")->capture_default_str();
  app.add_option("--runs", o.runs, "runs per node count (medians reported)")->capture_default_str();
  app.add_option("--in-flight", o.inFlight, "concurrent pod creates")->capture_default_str();
  app.add_flag("--precreate", o.precreate, "create all pods, then start the scheduler (its rate alone)");
  app.add_option("--binds-in-flight", o.bindsInFlight, "the scheduler's concurrent binds")->capture_default_str();
  app.add_flag("--create-only", o.createOnly, "create the pods without scheduling them");
  app.add_option("--server-arg", o.serverArgs, "extra `kcpp server` arguments");
  CLI11_PARSE(app, argc, argv);
  std::printf("| nodes | pods | pods/s (median of %d) | p50 create→bound | p99 create→bound | server CPU s |\n", o.runs);
  std::printf("|---|---|---|---|---|---|\n");
  for (int nodes : o.nodes) {
    std::vector<double> rate, p50, p99, cpu;
    for (int r = 0; r < o.runs; ++r) {
      auto f = runOnce(o, nodes);
      if (!f) {
        std::fprintf(stderr, "run failed: %s\n", f.error().message.c_str());
        std::fflush(nullptr);
        std::_Exit(1);
      }
      std::fprintf(stderr, "  %d nodes run %d: %d bound, %.0f pods/s, p50 %.1f ms, p99 %.1f ms, server CPU %.2f s in %.2f s\n",
                   nodes, r + 1, f->bound, f->podsPerSecond, f->p50Ms, f->p99Ms, f->serverCpuSeconds, f->benchSeconds);
      rate.push_back(f->podsPerSecond);
      p50.push_back(f->p50Ms);
      p99.push_back(f->p99Ms);
      cpu.push_back(f->serverCpuSeconds);
    }
    std::printf("| %d | %d | %.0f | %.1f ms | %.1f ms | %.2f |\n", nodes, o.pods, median(rate), median(p50),
                median(p99), median(cpu));
    std::fflush(stdout);
  }
  std::fflush(nullptr);
  std::_Exit(0);
}
