// One pod's way through the scheduler (upstream's schedule_one.go): the
// scheduling cycle (filter, score, select, assume, reserve, permit), the
// binding cycle run concurrently, and the handling of failures.
#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "api/meta/object.h"
#include "scheduler/scheduler.h"

namespace kcpp::scheduler {

namespace asio = boost::asio;

namespace {

constexpr int kMinFeasibleNodesToFind = 100;
constexpr int kMinFeasibleNodesPercentageToFind = 5;

bool isPreBind(const Framework& framework, const std::string& plugin) {
  const auto& names = framework.profile().preBind;
  return std::find(names.begin(), names.end(), plugin) != names.end();
}

}  // namespace

int Scheduler::numFeasibleNodesToFind(int percentage, int numAllNodes) {
  if (numAllNodes < kMinFeasibleNodesToFind || percentage >= 100) return numAllNodes;
  int adaptive = percentage;
  if (adaptive <= 0) {
    // Bigger clusters look at a smaller share: 50% − nodes/125, at least 5%.
    adaptive = 50 - numAllNodes / 125;
    if (adaptive < kMinFeasibleNodesPercentageToFind) adaptive = kMinFeasibleNodesPercentageToFind;
  }
  int numNodes = static_cast<int>(static_cast<std::int64_t>(numAllNodes) * adaptive / 100);
  return numNodes < kMinFeasibleNodesToFind ? kMinFeasibleNodesToFind : numNodes;
}

std::vector<const NodeInfo*> Scheduler::findNodesThatFit(Framework& framework, CycleState& state, const PodInfo& pod,
                                                         const Snapshot& snapshot, FitError& diagnosis) {
  std::vector<const NodeInfo*> feasible;
  // A node a preemption made room on is tried first, as upstream.
  if (!pod.nominatedNodeName.empty()) {
    if (const NodeInfo* nominated = snapshot.find(pod.nominatedNodeName);
        nominated && filterWithNominatedPods(framework, state, pod, *nominated).ok()) {
      feasible.push_back(nominated);
      return feasible;
    }
  }
  const int n = static_cast<int>(snapshot.nodes.size());
  const int wanted = numFeasibleNodesToFind(framework.profile().percentageOfNodesToScore, n);
  feasible.reserve(static_cast<std::size_t>(wanted));
  int processed = 0;
  // Start where the previous cycle stopped, so that every node gets its turn.
  for (int i = 0; i < n && static_cast<int>(feasible.size()) < wanted; ++i) {
    const NodeInfo* node = snapshot.nodes[static_cast<std::size_t>((nextStartNodeIndex_ + i) % n)];
    ++processed;
    Status s = filterWithNominatedPods(framework, state, pod, *node);
    if (s.ok()) {
      feasible.push_back(node);
    } else {
      diagnosis.nodeToStatus.emplace(node->name, std::move(s));
    }
  }
  nextStartNodeIndex_ = n == 0 ? 0 : (nextStartNodeIndex_ + processed) % n;
  return feasible;
}

Status Scheduler::filterWithNominatedPods(Framework& framework, const CycleState& state, const PodInfo& pod,
                                          const NodeInfo& node) {
  auto nominated = nominated_.find(node.name);
  if (nominated == nominated_.end()) return framework.runFilter(state, pod, node);
  NodeInfo withNominated = node;
  CycleState stateWithNominated = state.clone();
  bool added = false;
  for (const PodInfoPtr& other : nominated->second) {
    if (other->key == pod.key || other->priority < pod.priority) continue;
    withNominated.addPod(other);
    framework.runPreFilterAddPod(stateWithNominated, pod, *other, withNominated);
    added = true;
  }
  if (!added) return framework.runFilter(state, pod, node);
  return framework.runFilter(stateWithNominated, pod, withNominated);
}

std::string Scheduler::selectHost(const std::vector<const NodeInfo*>& nodes, const std::vector<std::int64_t>& scores) {
  std::int64_t best = scores.front();
  for (std::int64_t s : scores) best = std::max(best, s);
  std::vector<std::size_t> ties;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (scores[i] == best) ties.push_back(i);
  }
  // Equal nodes take pods in turn (upstream picks one at random).
  return nodes[ties[tieBreaker_++ % ties.size()]]->name;
}

ScheduleResult Scheduler::schedulePod(Framework& framework, CycleState& state, const PodInfo& pod) {
  const Snapshot& snapshot = cache_.snapshot();
  if (snapshot.nodes.empty()) return {"", std::nullopt, Status::error("no nodes available to schedule pods")};
  FitError diagnosis;
  diagnosis.numAllNodes = static_cast<int>(snapshot.nodes.size());
  Status pre = framework.runPreFilter(state, pod, snapshot);
  if (!pre.ok()) {
    if (!pre.isRejected()) return {"", std::nullopt, pre};
    diagnosis.preFilterMessage = pre.message();
    for (const NodeInfo* node : snapshot.nodes) diagnosis.nodeToStatus.emplace(node->name, pre);
    return {"", std::move(diagnosis), pre};
  }
  std::vector<const NodeInfo*> feasible = findNodesThatFit(framework, state, pod, snapshot, diagnosis);
  for (const auto& [node, status] : diagnosis.nodeToStatus) {
    if (status.code == Code::Error) return {"", std::nullopt, status};
  }
  if (feasible.empty()) return {"", std::move(diagnosis), Status::unschedulable("")};
  if (feasible.size() == 1) return {feasible.front()->name, std::nullopt, Status::success()};
  Status preScore = framework.runPreScore(state, pod, feasible, snapshot);
  if (!preScore.ok()) return {"", std::nullopt, preScore};
  std::vector<std::int64_t> scores = framework.runScore(state, pod, feasible);
  return {selectHost(feasible, scores), std::nullopt, Status::success()};
}

asio::awaitable<void> Scheduler::scheduleOne(QueuedPodInfo queued) {
  PodInfoPtr pod = queued.pod;
  Framework* framework = frameworkFor(pod->schedulerName);
  // Deleted meanwhile, or already assumed (a duplicate event): nothing to do.
  if (!framework || pod->terminating || cache_.hasPod(pod->key)) {
    queue_->done(pod->key);
    co_return;
  }
  std::uint64_t cycle = queue_->schedulingCycle();
  auto state = std::make_shared<CycleState>();
  ScheduleResult result = schedulePod(*framework, *state, *pod);
  if (result.node.empty()) {
    if (!result.fitError) {
      co_await handleFailure(*framework, std::move(queued), cycle, false, "SchedulerError", result.status.message(), "");
      co_return;
    }
    std::string nominated;
    if (framework->hasPostFilter()) {
      PostFilterResult post = co_await framework->runPostFilter(*state, pod, result.fitError->nodeToStatus);
      result.fitError->postFilterMessage = post.status.message();
      nominated = post.nominatedNodeName;
    }
    co_await handleFailure(*framework, std::move(queued), cycle, true, "Unschedulable", result.fitError->message(),
                           nominated);
    co_return;
  }
  auto assumed = std::make_shared<PodInfo>(*pod);
  assumed->nodeName = result.node;
  cache_.assumePod(assumed);
  Status reserved = framework->runReserve(*state, *assumed, result.node);
  if (reserved.ok()) reserved = framework->runPermit(*state, *assumed, result.node);
  if (!reserved.ok()) {
    framework->runUnreserve(*state, *assumed, result.node);
    cache_.forgetPod(pod->key);
    bool rejected = reserved.isRejected();
    co_await handleFailure(*framework, std::move(queued), cycle, rejected, rejected ? "Unschedulable" : "SchedulerError",
                           reserved.message(), "");
    co_return;
  }
  while (bindsInFlight_ >= options_.maxBindsInFlight && !stopped_) {
    bindSlot_ = std::make_unique<asio::steady_timer>(executor_, std::chrono::seconds(1));
    boost::system::error_code ec;
    co_await bindSlot_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    bindSlot_.reset();
  }
  ++bindsInFlight_;
  asio::co_spawn(executor_, bindingCycle(*framework, std::move(state), std::move(assumed), std::move(queued)),
                 asio::detached);
}

asio::awaitable<void> Scheduler::bindingCycle(Framework& framework, std::shared_ptr<CycleState> state,
                                              PodInfoPtr assumed, QueuedPodInfo queued) {
  std::uint64_t cycle = queue_->schedulingCycle();
  Status bound = co_await framework.runPreBind(state, assumed, assumed->nodeName);
  if (bound.ok()) bound = co_await framework.runBind(assumed, assumed->nodeName);
  --bindsInFlight_;
  if (bindSlot_) bindSlot_->cancel();
  if (!bound.ok()) {
    cache_.forgetPod(assumed->key);
    framework.runUnreserve(*state, *assumed, assumed->nodeName);
    // The room the pod held is free again.
    queue_->moveAllToActiveOrBackoff();
    std::string message = "running " + std::string(isPreBind(framework, bound.plugin) ? "PreBind" : "Bind") +
                          " plugin \"" + bound.plugin + "\": " + bound.message();
    co_await handleFailure(framework, std::move(queued), cycle, false, "SchedulerError", message, "");
    co_return;
  }
  queue_->done(assumed->key);
  ++bound_;
  recordEvent(*assumed, "Normal", "Scheduled",
              "Successfully assigned " + assumed->ns + "/" + assumed->name + " to " + assumed->nodeName);
}

asio::awaitable<void> Scheduler::handleFailure(Framework&, QueuedPodInfo queued, std::uint64_t cycle,
                                               bool unschedulable, std::string reason, std::string message,
                                               std::string nominatedNode) {
  std::string key = queued.pod->key;
  spdlog::debug("scheduler: unable to schedule {}: {}", key, message);
  queue_->requeueFailed(std::move(queued), unschedulable, cycle);
  // The pod as the informer has it now: gone or bound meanwhile means nothing to report.
  client::ObjectPtr current = informers_.forResource("", "v1", "pods").get(key);
  if (!current) co_return;
  PodInfoPtr latest = parsePodInfo(current);
  if (!latest->nodeName.empty()) co_return;
  if (!nominatedNode.empty()) {
    // Nominated now, before the informer shows it: later cycles keep the room free.
    for (auto& [node, pods] : nominated_) std::erase_if(pods, [&](const PodInfoPtr& p) { return p->key == key; });
    auto nominee = std::make_shared<PodInfo>(*latest);
    nominee->nominatedNodeName = nominatedNode;
    nominated_[nominatedNode].push_back(std::move(nominee));
  }
  recordEvent(*latest, "Warning", "FailedScheduling", message);
  Status patched = co_await patchPodStatus(*latest, reason, message, nominatedNode, !nominatedNode.empty());
  if (!patched.ok()) spdlog::warn("scheduler: updating the status of {}: {}", key, patched.message());
}

}  // namespace kcpp::scheduler
