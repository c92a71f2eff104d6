#include "kubelet/prober/prober_manager.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include <spdlog/spdlog.h>

#include "api/meta/object.h"

namespace kcpp::kubelet::prober {

namespace asio = boost::asio;
namespace json = boost::json;
using std::chrono::steady_clock;

namespace {

enum class ProbeType { Liveness, Readiness, Startup };

const char* typeName(ProbeType t) {
  switch (t) {
    case ProbeType::Liveness: return "Liveness";
    case ProbeType::Readiness: return "Readiness";
    case ProbeType::Startup: return "Startup";
  }
  return "";
}

const char* specField(ProbeType t) {
  switch (t) {
    case ProbeType::Liveness: return "livenessProbe";
    case ProbeType::Readiness: return "readinessProbe";
    case ProbeType::Startup: return "startupProbe";
  }
  return "";
}

std::int64_t intAt(const json::object& o, std::string_view key, std::int64_t fallback) {
  const json::value* v = o.if_contains(key);
  return v && v->is_number() ? v->to_number<std::int64_t>() : fallback;
}

enum class Result3 { Unknown, Success, Failure };

}  // namespace

struct Worker {
  ProbeType type;
  std::string container;
  json::object probe;      // the probe's spec
  json::object containerSpec;
  std::string containerId;  // the container the result is about
  Result3 result = Result3::Unknown;
  std::optional<Outcome> lastOutcome;
  int resultRun = 0;
  bool onHold = false;
  bool stopped = false;
  std::unique_ptr<asio::steady_timer> timer;
};

struct ContainerState {
  std::string id;
  bool running = false;
  steady_clock::time_point startedAt;
  std::string podIp;
};

struct PodEntry {
  json::object pod;
  std::map<std::string, ContainerState> containers;
  std::vector<std::shared_ptr<Worker>> workers;
};

struct ProberManager::State : std::enable_shared_from_this<ProberManager::State> {
  asio::any_io_executor executor;
  RestartHook onRestart;
  ProberOptions options;
  mutable std::mutex mu;
  std::map<std::string, PodEntry> pods;

  const Worker* workerFor(const PodEntry& e, const std::string& c, ProbeType t) const {
    for (const auto& w : e.workers) {
      if (w->container == c && w->type == t) return w.get();
    }
    return nullptr;
  }

  // Whether the current container passed its startup probe (or has none).
  bool startedLocked(const PodEntry& e, const std::string& c) const {
    auto cs = e.containers.find(c);
    if (cs == e.containers.end() || !cs->second.running) return false;
    const Worker* w = workerFor(e, c, ProbeType::Startup);
    return !w || (w->containerId == cs->second.id && w->result == Result3::Success);
  }

  static Result3 initialValue(ProbeType t) {
    // Readiness starts false, liveness true (no restart before a failure),
    // startup unknown (not started).
    switch (t) {
      case ProbeType::Readiness: return Result3::Failure;
      case ProbeType::Liveness: return Result3::Success;
      case ProbeType::Startup: return Result3::Unknown;
    }
    return Result3::Unknown;
  }

  void event(const json::object& pod, const std::string& container, const std::string& reason,
             const std::string& message) {
    spdlog::info("pod {}/{} container {}: {}", api::metaNamespace(pod), api::metaName(pod), container, message);
    if (options.recordEvent) options.recordEvent(pod, container, "Warning", reason, message);
  }

  asio::awaitable<void> runWorker(std::string uid, std::shared_ptr<Worker> w);
  // One probe decision; false: the worker ends.
  asio::awaitable<bool> doProbe(const std::string& uid, Worker& w);
};

asio::awaitable<void> ProberManager::State::runWorker(std::string uid, std::shared_ptr<Worker> w) {
  auto self = shared_from_this();  // alive while the worker runs
  auto period = options.second * std::max<std::int64_t>(1, intAt(w->probe, "periodSeconds", 10));
  while (!w->stopped) {
    bool keepGoing = co_await doProbe(uid, *w);
    if (!keepGoing || w->stopped) break;
    w->timer->expires_after(period);
    boost::system::error_code ec;
    co_await w->timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

asio::awaitable<bool> ProberManager::State::doProbe(const std::string& uid, Worker& w) {
  ProbeTarget target;
  json::object pod;
  {
    std::lock_guard lock(mu);
    auto entry = pods.find(uid);
    if (entry == pods.end()) co_return false;
    auto cs = entry->second.containers.find(w.container);
    if (cs == entry->second.containers.end() || cs->second.id.empty()) co_return true;  // not created yet
    if (w.containerId != cs->second.id) {
      // A new container: start over from the initial value.
      w.containerId = cs->second.id;
      w.result = initialValue(w.type);
      w.lastOutcome.reset();
      w.resultRun = 0;
      w.onHold = false;
    }
    if (w.onHold) co_return true;
    if (!cs->second.running) {
      if (w.type == ProbeType::Readiness) w.result = Result3::Failure;
      co_return true;
    }
    pod = entry->second.pod;
    if (api::findPath(pod, "metadata.deletionTimestamp") && w.type != ProbeType::Readiness) {
      // Graceful shutdown: a last success keeps liveness/startup quiet.
      w.result = Result3::Success;
      co_return false;
    }
    auto delay = options.second * intAt(w.probe, "initialDelaySeconds", 0);
    if (steady_clock::now() - cs->second.startedAt < delay) co_return true;
    bool started = startedLocked(entry->second, w.container);
    if (started == (w.type == ProbeType::Startup)) co_return true;  // startup done / others gated
    target.containerId = cs->second.id;
    target.podIp = cs->second.podIp;
  }
  target.container = &w.containerSpec;
  ProbeResult result = co_await runProbe(w.probe, target, options.exec, options.second);

  std::lock_guard lock(mu);
  if (w.stopped || w.containerId != target.containerId) co_return !w.stopped;
  std::string type = typeName(w.type);
  if (result.outcome == Outcome::Unknown) {
    event(pod, w.container, "Unhealthy", type + " probe errored and resulted in unknown state: " + result.output);
    co_return true;  // a prober error: the result is thrown away
  }
  if (result.outcome == Outcome::Warning) {
    event(pod, w.container, "ProbeWarning", type + " probe warning: " + result.output);
  } else if (result.outcome == Outcome::Failure) {
    event(pod, w.container, "Unhealthy", type + " probe failed: " + result.output);
  }
  Outcome outcome = result.outcome == Outcome::Failure ? Outcome::Failure : Outcome::Success;
  if (w.lastOutcome == outcome) {
    ++w.resultRun;
  } else {
    w.lastOutcome = outcome;
    w.resultRun = 1;
  }
  std::int64_t threshold = outcome == Outcome::Failure ? intAt(w.probe, "failureThreshold", 3)
                                                       : intAt(w.probe, "successThreshold", 1);
  if (w.resultRun < threshold) co_return true;  // below the threshold: unchanged
  w.result = outcome == Outcome::Failure ? Result3::Failure : Result3::Success;
  bool restart = outcome == Outcome::Failure && w.type != ProbeType::Readiness;
  if ((w.type == ProbeType::Liveness && outcome == Outcome::Failure) || w.type == ProbeType::Startup) {
    // Wait for a new container before probing again (upstream #21751, #117153).
    w.onHold = true;
    w.resultRun = 0;
  }
  if (restart && onRestart) {
    asio::post(executor, [hook = onRestart, uid, c = w.container] { hook(uid, c); });
  }
  co_return true;
}

ProberManager::ProberManager(asio::any_io_executor executor, RestartHook onRestart, ProberOptions options)
    : state_(std::make_shared<State>()) {
  state_->executor = std::move(executor);
  state_->onRestart = std::move(onRestart);
  state_->options = std::move(options);
}

ProberManager::~ProberManager() {
  std::vector<std::string> uids;
  {
    std::lock_guard lock(state_->mu);
    for (const auto& [uid, _] : state_->pods) uids.push_back(uid);
  }
  for (const auto& uid : uids) removePod(uid);
}

void ProberManager::addPod(const json::object& pod) {
  const json::value* uidValue = api::findPath(pod, "metadata.uid");
  if (!uidValue || !uidValue->is_string()) return;
  std::string uid(uidValue->as_string());
  std::vector<std::shared_ptr<Worker>> fresh;
  {
    std::lock_guard lock(state_->mu);
    auto [entry, inserted] = state_->pods.try_emplace(uid);
    entry->second.pod = pod;
    if (!inserted) return;  // workers already run; the pod (deletionTimestamp) is updated
    const json::value* containers = api::findPath(pod, "spec.containers");
    if (!containers || !containers->is_array()) return;
    for (const auto& c : containers->as_array()) {
      if (!c.is_object()) continue;
      for (ProbeType t : {ProbeType::Startup, ProbeType::Readiness, ProbeType::Liveness}) {
        const json::object* probe = api::findObject(c.as_object(), specField(t));
        if (!probe) continue;
        auto w = std::make_shared<Worker>();
        w->type = t;
        w->container = std::string(api::getString(c.as_object(), "name"));
        w->probe = *probe;
        w->containerSpec = c.as_object();
        w->timer = std::make_unique<asio::steady_timer>(state_->executor);
        entry->second.workers.push_back(w);
        fresh.push_back(w);
      }
    }
  }
  for (auto& w : fresh) {
    asio::co_spawn(state_->executor, state_->runWorker(uid, w), asio::detached);
  }
}

void ProberManager::removePod(const std::string& podUid) {
  std::vector<std::shared_ptr<Worker>> workers;
  {
    std::lock_guard lock(state_->mu);
    auto entry = state_->pods.find(podUid);
    if (entry == state_->pods.end()) return;
    workers = std::move(entry->second.workers);
    state_->pods.erase(entry);
    for (auto& w : workers) w->stopped = true;
  }
  // Timers are cancelled on their executor (steady_timer is not thread-safe).
  for (auto& w : workers) {
    asio::post(state_->executor, [w] { w->timer->cancel(); });
  }
}

void ProberManager::updateContainerStatus(const std::string& podUid, const std::string& container,
                                          const std::string& containerId, bool running,
                                          const std::string& podIp) {
  std::lock_guard lock(state_->mu);
  auto entry = state_->pods.find(podUid);
  if (entry == state_->pods.end()) return;
  ContainerState& cs = entry->second.containers[container];
  if (cs.id != containerId || (running && !cs.running)) cs.startedAt = steady_clock::now();
  cs.id = containerId;
  cs.running = running;
  cs.podIp = podIp;
}

bool ProberManager::ready(const std::string& podUid, const std::string& container) const {
  std::lock_guard lock(state_->mu);
  auto entry = state_->pods.find(podUid);
  if (entry == state_->pods.end()) return false;
  if (!state_->startedLocked(entry->second, container)) return false;
  const Worker* w = state_->workerFor(entry->second, container, ProbeType::Readiness);
  if (!w) return true;
  return w->containerId == entry->second.containers.at(container).id && w->result == Result3::Success;
}

bool ProberManager::started(const std::string& podUid, const std::string& container) const {
  std::lock_guard lock(state_->mu);
  auto entry = state_->pods.find(podUid);
  return entry != state_->pods.end() && state_->startedLocked(entry->second, container);
}

}  // namespace kcpp::kubelet::prober
