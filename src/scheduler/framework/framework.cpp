#include "scheduler/framework/framework.h"

#include <algorithm>

namespace kcpp::scheduler {

namespace {

bool skipped(const std::vector<std::string>& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

template <class Interface>
Result<void> collect(const std::map<std::string, PluginPtr>& plugins, const std::vector<std::string>& names,
                     const char* point, std::vector<Interface*>& out) {
  for (const std::string& name : names) {
    auto* p = dynamic_cast<Interface*>(plugins.at(name).get());
    if (!p) return makeError(Reason::Invalid, "plugin \"" + name + "\" does not extend " + point + " plugin");
    out.push_back(p);
  }
  return {};
}

}  // namespace

Result<FrameworkPtr> Framework::create(const PluginRegistry& registry, const Profile& profile, Handle& handle) {
  FrameworkPtr f(new Framework());
  f->profile_ = profile;
  std::vector<std::string> names;
  for (const auto* list : {&profile.queueSort, &profile.preFilter, &profile.filter, &profile.postFilter,
                           &profile.preScore, &profile.reserve, &profile.permit, &profile.preBind, &profile.bind}) {
    names.insert(names.end(), list->begin(), list->end());
  }
  for (const PluginRef& s : profile.score) names.push_back(s.name);
  static const boost::json::object kNoArgs;
  for (const std::string& name : names) {
    if (f->plugins_.count(name)) continue;
    auto factory = registry.find(name);
    if (factory == registry.end()) return makeError(Reason::Invalid, "plugin \"" + name + "\" does not exist");
    auto args = profile.pluginArgs.find(name);
    auto plugin = factory->second(args == profile.pluginArgs.end() ? kNoArgs : args->second, handle);
    if (!plugin) return std::move(plugin).error();
    f->plugins_[name] = std::move(*plugin);
  }
  if (profile.queueSort.size() != 1) {
    return makeError(Reason::Invalid, "profile \"" + profile.schedulerName +
                                          "\" must have exactly one queue sort plugin, has " +
                                          std::to_string(profile.queueSort.size()));
  }
  std::vector<QueueSortPlugin*> sort;
  if (auto ok = collect(f->plugins_, profile.queueSort, "QueueSort", sort); !ok) return std::move(ok).error();
  f->queueSort_ = sort.front();
  if (auto ok = collect(f->plugins_, profile.preFilter, "PreFilter", f->preFilter_); !ok) return std::move(ok).error();
  if (auto ok = collect(f->plugins_, profile.filter, "Filter", f->filter_); !ok) return std::move(ok).error();
  if (auto ok = collect(f->plugins_, profile.postFilter, "PostFilter", f->postFilter_); !ok) return std::move(ok).error();
  if (auto ok = collect(f->plugins_, profile.preScore, "PreScore", f->preScore_); !ok) return std::move(ok).error();
  if (auto ok = collect(f->plugins_, profile.reserve, "Reserve", f->reserve_); !ok) return std::move(ok).error();
  if (auto ok = collect(f->plugins_, profile.permit, "Permit", f->permit_); !ok) return std::move(ok).error();
  if (auto ok = collect(f->plugins_, profile.preBind, "PreBind", f->preBind_); !ok) return std::move(ok).error();
  if (auto ok = collect(f->plugins_, profile.bind, "Bind", f->bind_); !ok) return std::move(ok).error();
  for (const PluginRef& s : profile.score) {
    auto* p = dynamic_cast<ScorePlugin*>(f->plugins_.at(s.name).get());
    if (!p) return makeError(Reason::Invalid, "plugin \"" + s.name + "\" does not extend Score plugin");
    f->score_.emplace_back(p, s.weight);
  }
  if (f->bind_.empty()) {
    return makeError(Reason::Invalid, "profile \"" + profile.schedulerName + "\" must have at least one bind plugin");
  }
  return f;
}

Status Framework::runPreFilter(CycleState& state, const PodInfo& pod, const Snapshot& snapshot) {
  for (PreFilterPlugin* p : preFilter_) {
    Status s = p->preFilter(state, pod, snapshot);
    if (s.isSkip()) {
      state.skipFilter.emplace_back(p->name());
      continue;
    }
    if (!s.ok()) {
      s.plugin = std::string(p->name());
      return s;
    }
  }
  return Status::success();
}

void Framework::runPreFilterAddPod(CycleState& state, const PodInfo& pod, const PodInfo& added,
                                   const NodeInfo& node) {
  for (PreFilterPlugin* p : preFilter_) {
    if (!skipped(state.skipFilter, p->name())) p->addPod(state, pod, added, node);
  }
}

void Framework::runPreFilterRemovePod(CycleState& state, const PodInfo& pod, const PodInfo& removed,
                                      const NodeInfo& node) {
  for (PreFilterPlugin* p : preFilter_) {
    if (!skipped(state.skipFilter, p->name())) p->removePod(state, pod, removed, node);
  }
}

Status Framework::runFilter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const {
  for (const FilterPlugin* p : filter_) {
    if (!state.skipFilter.empty() && skipped(state.skipFilter, p->name())) continue;
    Status s = p->filter(state, pod, node);
    if (!s.ok()) {
      s.plugin = std::string(p->name());
      return s;
    }
  }
  return Status::success();
}

boost::asio::awaitable<PostFilterResult> Framework::runPostFilter(CycleState& state, PodInfoPtr pod,
                                                                  const std::map<std::string, Status>& filtered) {
  PostFilterResult last{"", Status::unschedulable("")};
  last.status.reasons.clear();
  for (PostFilterPlugin* p : postFilter_) {
    PostFilterResult r = co_await p->postFilter(state, pod, filtered);
    if (r.status.ok() || r.status.code == Code::Error) co_return r;
    last = std::move(r);
  }
  co_return last;
}

Status Framework::runPreScore(CycleState& state, const PodInfo& pod, const std::vector<const NodeInfo*>& nodes,
                              const Snapshot& snapshot) {
  for (PreScorePlugin* p : preScore_) {
    Status s = p->preScore(state, pod, nodes, snapshot);
    if (s.isSkip()) {
      state.skipScore.emplace_back(p->name());
      continue;
    }
    if (!s.ok()) {
      s.plugin = std::string(p->name());
      return s;
    }
  }
  return Status::success();
}

std::vector<std::int64_t> Framework::runScore(const CycleState& state, const PodInfo& pod,
                                              const std::vector<const NodeInfo*>& nodes) const {
  std::vector<std::int64_t> totals(nodes.size(), 0);
  std::vector<std::int64_t> scores(nodes.size());
  for (const auto& [plugin, weight] : score_) {
    if (!state.skipScore.empty() && skipped(state.skipScore, plugin->name())) continue;
    for (std::size_t i = 0; i < nodes.size(); ++i) scores[i] = plugin->score(state, pod, *nodes[i]);
    plugin->normalize(state, pod, scores);
    for (std::size_t i = 0; i < nodes.size(); ++i) totals[i] += scores[i] * weight;
  }
  return totals;
}

Status Framework::runReserve(CycleState& state, const PodInfo& pod, const std::string& node) {
  for (ReservePlugin* p : reserve_) {
    Status s = p->reserve(state, pod, node);
    if (!s.ok()) {
      s.plugin = std::string(p->name());
      return s;
    }
  }
  return Status::success();
}

void Framework::runUnreserve(CycleState& state, const PodInfo& pod, const std::string& node) {
  // In reverse order, as upstream.
  for (auto it = reserve_.rbegin(); it != reserve_.rend(); ++it) (*it)->unreserve(state, pod, node);
}

Status Framework::runPermit(CycleState& state, const PodInfo& pod, const std::string& node) {
  for (PermitPlugin* p : permit_) {
    Status s = p->permit(state, pod, node);
    if (!s.ok()) {
      s.plugin = std::string(p->name());
      return s;
    }
  }
  return Status::success();
}

boost::asio::awaitable<Status> Framework::runPreBind(std::shared_ptr<CycleState> state, PodInfoPtr pod,
                                                     std::string node) {
  for (PreBindPlugin* p : preBind_) {
    Status s = co_await p->preBind(state, pod, node);
    if (s.isSkip()) continue;
    if (!s.ok()) {
      s.plugin = std::string(p->name());
      co_return s;
    }
  }
  co_return Status::success();
}

boost::asio::awaitable<Status> Framework::runBind(PodInfoPtr pod, std::string node) {
  for (BindPlugin* p : bind_) {
    Status s = co_await p->bind(pod, node);
    if (s.isSkip()) continue;
    if (!s.ok()) s.plugin = std::string(p->name());
    co_return s;
  }
  co_return Status::error("no bind plugin bound the pod");
}

}  // namespace kcpp::scheduler
