#include "kubelet/podworkers/pod_workers.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/spdlog.h>

#include "api/meta/object.h"

namespace kcpp::kubelet::podworkers {

namespace asio = boost::asio;

namespace {

std::string uidOf(const json::object& pod) {
  const json::value* v = api::findPath(pod, "metadata.uid");
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

bool deleted(const json::object& pod) { return api::findPath(pod, "metadata.deletionTimestamp") != nullptr; }

// A terminated worker waits for a Delete/Remove; nothing else wakes it.
constexpr std::chrono::milliseconds kIdle = std::chrono::hours(24);

}  // namespace

struct PodWorkers::Worker {
  Worker(asio::any_io_executor executor, json::object p) : pod(std::move(p)), wake(std::move(executor)) {}
  json::object pod;
  WorkerState state = WorkerState::Syncing;
  bool dirty = true;
  bool removed = false;  // gone from its source
  bool cleaned = false;  // terminatedPod ran once
  bool finished = false;
  asio::steady_timer wake;
};

const char* stateName(WorkerState s) {
  switch (s) {
    case WorkerState::Syncing: return "syncing";
    case WorkerState::Terminating: return "terminating";
    case WorkerState::Terminated: return "terminated";
  }
  return "";
}

PodWorkers::PodWorkers(asio::any_io_executor executor, PodSyncer& syncer, PodWorkersOptions options)
    : executor_(std::move(executor)), syncer_(syncer), options_(options) {}

PodWorkers::~PodWorkers() { stop(); }

void PodWorkers::updatePod(const json::object& pod, PodOperation op) {
  std::string uid = uidOf(pod);
  if (uid.empty() || *stopped_ || finished_.count(uid)) return;
  auto it = workers_.find(uid);
  if (it == workers_.end()) {
    auto worker = std::make_shared<Worker>(executor_, pod);
    worker->removed = op == PodOperation::Remove;
    workers_[uid] = worker;
    asio::co_spawn(executor_, runWorker(worker), asio::detached);
    return;
  }
  Worker& w = *it->second;
  w.pod = pod;
  if (op == PodOperation::Remove) w.removed = true;
  // A status-only change needs no sync: the next one reads it.
  if (op == PodOperation::Reconcile && w.state == WorkerState::Syncing) return;
  w.dirty = true;
  w.wake.cancel();
}

void PodWorkers::notify(const std::string& uid) {
  auto it = workers_.find(uid);
  if (it == workers_.end()) return;
  it->second->dirty = true;
  it->second->wake.cancel();
}

std::optional<WorkerState> PodWorkers::state(const std::string& uid) const {
  auto it = workers_.find(uid);
  if (it == workers_.end()) return std::nullopt;
  return it->second->state;
}

std::vector<std::string> PodWorkers::uids() const {
  std::vector<std::string> out;
  for (const auto& [uid, w] : workers_) out.push_back(uid);
  return out;
}

std::optional<json::object> PodWorkers::pod(const std::string& uid) const {
  auto it = workers_.find(uid);
  if (it == workers_.end()) return std::nullopt;
  return it->second->pod;
}

void PodWorkers::stop() {
  *stopped_ = true;
  for (auto& [uid, w] : workers_) w->wake.cancel();
}

Awaitable<void> PodWorkers::runWorker(std::shared_ptr<Worker> worker) {
  auto stopped = stopped_;  // outlives this PodWorkers if the loop ends after it
  auto live = live_;
  ++*live;
  struct Leave {
    std::shared_ptr<int> count;
    ~Leave() { --*count; }
  } leave{live};
  std::chrono::milliseconds wait = options_.resyncInterval;
  while (!*stopped && !worker->finished) {
    if (!worker->dirty) {
      worker->wake.expires_after(wait);
      co_await worker->wake.async_wait(asio::as_tuple(asio::use_awaitable));
      if (*stopped) break;
    }
    worker->dirty = false;
    wait = options_.resyncInterval;
    try {
      co_await step(*worker, wait);
    } catch (const std::exception& e) {
      spdlog::error("kubelet: pod worker {}: {}", uidOf(worker->pod), e.what());
      wait = options_.errorBackoff;
    }
  }
  if (worker->finished && !*stopped) {
    std::string uid = uidOf(worker->pod);
    auto it = workers_.find(uid);
    if (it != workers_.end() && it->second == worker) workers_.erase(it);
    finished_.insert(uid);
  }
}

Awaitable<void> PodWorkers::step(Worker& w, std::chrono::milliseconds& wait) {
  json::object pod = w.pod;  // the worker may get a newer one meanwhile
  switch (w.state) {
    case WorkerState::Syncing: {
      if (w.removed || deleted(pod)) {
        w.state = WorkerState::Terminating;
        w.dirty = true;
        co_return;
      }
      SyncOutcome outcome = co_await syncer_.syncPod(pod);
      if (outcome.terminal) {
        w.state = WorkerState::Terminating;
        w.dirty = true;
      } else if (outcome.retryAfter) {
        wait = *outcome.retryAfter;
      }
      co_return;
    }
    case WorkerState::Terminating: {
      auto stopped = co_await syncer_.terminatePod(pod);
      if (!stopped) {
        spdlog::warn("kubelet: stopping pod {}/{}: {}", api::metaNamespace(pod), api::metaName(pod),
                     stopped.error().message);
        wait = options_.errorBackoff;
        co_return;
      }
      w.state = WorkerState::Terminated;
      w.dirty = true;
      co_return;
    }
    case WorkerState::Terminated: {
      bool gone = w.removed || deleted(pod);
      if (w.cleaned && !gone) {
        wait = kIdle;
        co_return;
      }
      auto cleaned = co_await syncer_.terminatedPod(pod, gone);
      if (!cleaned) {
        spdlog::warn("kubelet: cleaning up pod {}/{}: {}", api::metaNamespace(pod), api::metaName(pod),
                     cleaned.error().message);
        wait = options_.errorBackoff;
        co_return;
      }
      w.cleaned = true;
      if (gone) {
        w.finished = true;
      } else {
        wait = kIdle;
      }
      co_return;
    }
  }
}

}  // namespace kcpp::kubelet::podworkers
