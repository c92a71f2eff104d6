#include "scheduler/scheduler.h"

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "api/meta/object.h"

namespace kcpp::scheduler {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// The API group of a resource plugins read (all of them at version v1).
std::string groupOf(const std::string& resource) {
  if (resource == "storageclasses") return "storage.k8s.io";
  if (resource == "replicasets" || resource == "statefulsets") return "apps";
  if (resource == "poddisruptionbudgets") return "policy";
  return "";
}

bool enabled(const std::vector<std::string>& plugins, const std::string& name) {
  return std::find(plugins.begin(), plugins.end(), name) != plugins.end();
}

}  // namespace

// What a profile's plugins may use (upstream's framework.Handle).
class Scheduler::ProfileHandle final : public Handle {
 public:
  explicit ProfileHandle(Scheduler& s) : s_(s) {}
  const Snapshot& snapshot() const override { return s_.cache_.snapshot(); }
  Framework& framework() override { return *framework_; }
  asio::awaitable<Status> bindPod(const PodInfo& pod, const std::string& node) override {
    co_return co_await s_.bindPod(pod, node);
  }
  asio::awaitable<Status> deletePod(const PodInfo& victim, const PodInfo& preemptor,
                                    const std::string& node) override {
    co_return co_await s_.deletePod(victim, preemptor, node);
  }
  asio::awaitable<Status> setNominatedNode(const PodInfo& pod, const std::string& node) override {
    co_return co_await s_.patchPodStatus(pod, "", "", node, true);
  }
  ObjectPtr lookup(const std::string& resource, const std::string& ns, const std::string& name) const override {
    return s_.informers_.forResource(groupOf(resource), "v1", resource).get(ns.empty() ? name : ns + "/" + name);
  }
  std::vector<ObjectPtr> list(const std::string& resource, const std::string& ns) const override {
    auto& informer = s_.informers_.forResource(groupOf(resource), "v1", resource);
    return ns.empty() ? informer.list() : informer.byIndex("namespace", ns);
  }
  asio::awaitable<Status> updateObject(const std::string& resource, json::object object) override {
    client::ResourcePath path{groupOf(resource), "v1", resource, std::string(api::metaNamespace(object)),
                              std::string(api::metaName(object)), "", ""};
    auto updated = co_await s_.client_.update(path, object);
    if (!updated) co_return Status::error(updated.error().message);
    co_return Status::success();
  }
  std::vector<PodInfoPtr> nominatedPods(const std::string& node) const override {
    auto it = s_.nominated_.find(node);
    return it == s_.nominated_.end() ? std::vector<PodInfoPtr>{} : it->second;
  }
  Framework* framework_ = nullptr;

 private:
  Scheduler& s_;
};

Scheduler::Scheduler(client::RestClient& client, client::InformerFactory& informers, asio::any_io_executor executor,
                     SchedulerOptions options)
    : client_(client), informers_(informers), executor_(std::move(executor)), options_(std::move(options)) {}

Scheduler::~Scheduler() = default;

Result<SchedulerPtr> Scheduler::create(client::RestClient& client, client::InformerFactory& informers,
                                       asio::any_io_executor executor, SchedulerOptions options,
                                       const PluginRegistry& registry) {
  if (options.profiles.empty()) return makeError(Reason::Invalid, "at least one profile is required");
  SchedulerPtr s(new Scheduler(client, informers, executor, std::move(options)));
  for (const Profile& profile : s->options_.profiles) {
    if (s->frameworks_.count(profile.schedulerName)) {
      return makeError(Reason::Invalid, "duplicate profile with scheduler name \"" + profile.schedulerName + "\"");
    }
    auto handle = std::make_unique<ProfileHandle>(*s);
    auto framework = Framework::create(registry, profile, *handle);
    if (!framework) {
      Error e = std::move(framework).error();
      e.message = "profile \"" + profile.schedulerName + "\": " + e.message;
      return e;
    }
    handle->framework_ = framework->get();
    s->frameworks_[profile.schedulerName] = std::move(*framework);
    s->handles_.push_back(std::move(handle));
  }
  // Every profile must sort the queue alike (upstream checks the same); the
  // first one's QueueSort orders it.
  Framework* first = s->frameworks_.at(s->options_.profiles.front().schedulerName).get();
  for (const auto& [name, f] : s->frameworks_) {
    if (f->profile().queueSort != first->profile().queueSort) {
      return makeError(Reason::Invalid, "different queue sort plugins for profile \"" + name + "\"");
    }
  }
  s->queue_ = std::make_unique<SchedulingQueue>(
      executor, [first](const QueuedPodInfo& a, const QueuedPodInfo& b) { return first->less(a, b); },
      s->options_.queue);
  s->events_ = std::make_unique<EventSink>(client, executor);
  s->addHandlers();
  return s;
}

Framework* Scheduler::frameworkFor(const std::string& schedulerName) {
  auto it = frameworks_.find(schedulerName);
  return it == frameworks_.end() ? nullptr : it->second.get();
}

void Scheduler::addHandlers() {
  client::EventHandlers pods;
  pods.onAdd = [this](const client::ObjectPtr& o) { onPodAdd(o); };
  pods.onUpdate = [this](const client::ObjectPtr& o, const client::ObjectPtr& n) { onPodUpdate(o, n); };
  pods.onDelete = [this](const client::ObjectPtr& o) { onPodDelete(o); };
  informers_.forResource("", "v1", "pods").addHandlers(std::move(pods));
  client::EventHandlers nodes;
  nodes.onAdd = [this](const client::ObjectPtr& o) { onNodeAdd(o); };
  nodes.onUpdate = [this](const client::ObjectPtr& o, const client::ObjectPtr& n) { onNodeUpdate(o, n); };
  nodes.onDelete = [this](const client::ObjectPtr& o) {
    cache_.removeNode(std::string(api::metaName(*o)));
  };
  informers_.forResource("", "v1", "nodes").addHandlers(std::move(nodes));
  // What VolumeBinding reads, when a profile runs it. A claim that becomes
  // bound may let waiting pods in.
  bool volumes = false, spreading = false, preempting = false;
  for (const auto& [name, f] : frameworks_) {
    volumes = volumes || enabled(f->profile().preFilter, "VolumeBinding");
    spreading = spreading || enabled(f->profile().preScore, "PodTopologySpread") ||
                enabled(f->profile().preFilter, "PodTopologySpread");
    preempting = preempting || enabled(f->profile().postFilter, "DefaultPreemption");
  }
  // Informers are made before they start; plugins read them through the handle.
  if (spreading) {
    for (const char* resource : {"services", "replicationcontrollers", "replicasets", "statefulsets"}) {
      informers_.forResource(groupOf(resource), "v1", resource);
    }
  }
  if (preempting) informers_.forResource("policy", "v1", "poddisruptionbudgets");
  if (!volumes) return;
  informers_.forResource("storage.k8s.io", "v1", "storageclasses");
  client::EventHandlers claims;
  claims.onAdd = [this](const client::ObjectPtr&) { queue_->moveAllToActiveOrBackoff(); };
  claims.onUpdate = [this](const client::ObjectPtr&, const client::ObjectPtr&) { queue_->moveAllToActiveOrBackoff(); };
  informers_.forResource("", "v1", "persistentvolumeclaims").addHandlers(claims);
  informers_.forResource("", "v1", "persistentvolumes").addHandlers(claims);
}

namespace {

bool finished(const PodInfo& pod) { return pod.phase == "Succeeded" || pod.phase == "Failed"; }

void dropNominated(std::map<std::string, std::vector<PodInfoPtr>>& nominated, const std::string& key) {
  for (auto it = nominated.begin(); it != nominated.end();) {
    auto& pods = it->second;
    std::erase_if(pods, [&](const PodInfoPtr& p) { return p->key == key; });
    it = pods.empty() ? nominated.erase(it) : std::next(it);
  }
}

}  // namespace

void Scheduler::onPodAdd(const client::ObjectPtr& obj) {
  PodInfoPtr pod = parsePodInfo(obj);
  if (!pod->nodeName.empty()) {
    if (!finished(*pod)) cache_.addPod(pod);
    return;
  }
  if (!frameworkFor(pod->schedulerName) || pod->terminating) return;
  if (!pod->nominatedNodeName.empty()) nominated_[pod->nominatedNodeName].push_back(pod);
  queue_->add(std::move(pod));
}

void Scheduler::onPodUpdate(const client::ObjectPtr&, const client::ObjectPtr& newObj) {
  PodInfoPtr pod = parsePodInfo(newObj);
  if (!pod->nodeName.empty()) {
    // Bound (by us or anyone): no longer pending.
    queue_->remove(pod->key);
    dropNominated(nominated_, pod->key);
    if (finished(*pod)) {
      // A finished pod frees its node's resources.
      if (cache_.hasPod(pod->key)) {
        cache_.removePod(pod->key);
        queue_->moveAllToActiveOrBackoff();
      }
    } else {
      cache_.updatePod(pod);
    }
    return;
  }
  if (!frameworkFor(pod->schedulerName)) return;
  dropNominated(nominated_, pod->key);
  if (!pod->nominatedNodeName.empty()) nominated_[pod->nominatedNodeName].push_back(pod);
  if (pod->terminating) {
    queue_->remove(pod->key);
    return;
  }
  queue_->update(std::move(pod));
}

void Scheduler::onPodDelete(const client::ObjectPtr& obj) {
  PodInfoPtr pod = parsePodInfo(obj);
  dropNominated(nominated_, pod->key);
  queue_->remove(pod->key);
  if (cache_.hasPod(pod->key)) {
    // Its node has room again: pods waiting for room may fit now.
    cache_.removePod(pod->key);
    queue_->moveAllToActiveOrBackoff();
  }
}

void Scheduler::onNodeAdd(const client::ObjectPtr& obj) {
  cache_.addNode(obj);
  queue_->moveAllToActiveOrBackoff();
}

void Scheduler::onNodeUpdate(const client::ObjectPtr& oldObj, const client::ObjectPtr& newObj) {
  cache_.updateNode(newObj);
  // Only changes that may make a pod fit count (not heartbeats): labels,
  // spec (taints, unschedulable), allocatable.
  auto at = [](const json::object& o, std::string_view path) {
    const json::value* v = api::findPath(o, path);
    return v ? *v : json::value();
  };
  bool relevant = at(*oldObj, "metadata.labels") != at(*newObj, "metadata.labels") ||
                  at(*oldObj, "spec") != at(*newObj, "spec") ||
                  at(*oldObj, "status.allocatable") != at(*newObj, "status.allocatable");
  if (relevant) queue_->moveAllToActiveOrBackoff();
}

asio::awaitable<void> Scheduler::run() {
  informers_.start(executor_);
  while (!stopped_ && !informers_.hasSynced()) {
    bool synced = co_await informers_.waitForSync(std::chrono::seconds(5));
    if (!synced) spdlog::info("scheduler: waiting for pod and node informers to sync");
  }
  asio::co_spawn(executor_, queue_->run(), asio::detached);
  events_->start();
  spdlog::info("scheduler: caches synced, scheduling");
  while (!stopped_) {
    std::optional<QueuedPodInfo> next = co_await queue_->pop();
    if (!next) break;
    co_await scheduleOne(std::move(*next));
  }
}

void Scheduler::stop() {
  stopped_ = true;
  queue_->close();
  events_->stop();
  if (bindSlot_) bindSlot_->cancel();
}

asio::awaitable<Status> Scheduler::bindPod(const PodInfo& pod, const std::string& node) {
  json::object binding{{"apiVersion", "v1"}, {"kind", "Binding"}};
  binding["metadata"] = json::object{{"name", pod.name}, {"namespace", pod.ns}, {"uid", pod.uid}};
  binding["target"] = json::object{{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node}};
  client::ResourcePath path{"", "v1", "pods", pod.ns, pod.name, "binding", ""};
  auto answer = co_await client_.create(path, binding);
  if (!answer) co_return Status::error(answer.error().message);
  co_return Status::success();
}

asio::awaitable<Status> Scheduler::deletePod(const PodInfo& pod, const PodInfo& preemptor, const std::string& node) {
  recordEvent(pod, "Normal", "Preempted", "Preempted by pod " + preemptor.uid + " on node " + node);
  json::object options{{"apiVersion", "v1"}, {"kind", "DeleteOptions"}};
  options["preconditions"] = json::object{{"uid", pod.uid}};
  client::ResourcePath path{"", "v1", "pods", pod.ns, pod.name, "", ""};
  auto answer = co_await client_.remove(path, options);
  if (!answer && answer.error().reason != Reason::NotFound) co_return Status::error(answer.error().message);
  co_return Status::success();
}

asio::awaitable<Status> Scheduler::patchPodStatus(const PodInfo& pod, const std::string& reason,
                                                  const std::string& message, const std::string& nominatedNode,
                                                  bool setNominated) {
  json::object status;
  if (!reason.empty()) {
    // Only when the condition changes, as upstream's updatePod.
    bool same = false;
    if (const json::value* conditions = api::findPath(*pod.object, "status.conditions");
        conditions && conditions->is_array()) {
      for (const json::value& c : conditions->get_array()) {
        if (!c.is_object() || api::getString(c.get_object(), "type") != "PodScheduled") continue;
        const json::object& o = c.get_object();
        same = api::getString(o, "status") == "False" && api::getString(o, "reason") == reason &&
               api::getString(o, "message") == message;
      }
    }
    if (!same) {
      status["conditions"] = json::array{json::object{{"type", "PodScheduled"},
                                                      {"status", "False"},
                                                      {"reason", reason},
                                                      {"message", message},
                                                      {"lastProbeTime", nullptr},
                                                      {"lastTransitionTime", api::nowTime()}}};
    }
  }
  if (setNominated && nominatedNode != pod.nominatedNodeName) {
    status["nominatedNodeName"] = nominatedNode.empty() ? json::value(nullptr) : json::value(nominatedNode);
  }
  if (status.empty()) co_return Status::success();
  json::object patch{{"status", std::move(status)}};
  client::ResourcePath path{"", "v1", "pods", pod.ns, pod.name, "status", ""};
  auto answer = co_await client_.patch(path, "application/strategic-merge-patch+json", json::serialize(patch));
  if (!answer) co_return Status::error(answer.error().message);
  co_return Status::success();
}

void Scheduler::recordEvent(const PodInfo& pod, const std::string& type, const std::string& reason,
                            const std::string& message) {
  json::object ref{{"apiVersion", "v1"}, {"kind", "Pod"}};
  ref["metadata"] = json::object{{"name", pod.name},
                                 {"namespace", pod.ns},
                                 {"uid", pod.uid},
                                 {"resourceVersion", api::metaResourceVersion(*pod.object)}};
  events_->record(ref, pod.schedulerName, type, reason, message);
}

}  // namespace kcpp::scheduler
