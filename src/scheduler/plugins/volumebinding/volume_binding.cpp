#include "scheduler/plugins/volumebinding/volume_binding.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

#include "api/meta/object.h"

namespace kcpp::scheduler::plugins {

namespace json = boost::json;

namespace {

constexpr const char* kNoProvisioner = "kubernetes.io/no-provisioner";

// A claim of a WaitForFirstConsumer class, bound together with the pod.
struct ClaimToBind {
  ObjectPtr claim;
  ObjectPtr storageClass;
};

struct VolumeState final : StateData {
  std::vector<std::vector<NodeSelectorTerm>> volumeAffinity;  // of the bound claims' volumes
  std::vector<ClaimToBind> toBind;
  std::vector<std::string> decisions;  // Reserve's: per claim to bind, volume or "" (provision)
  std::shared_ptr<StateData> clone() const override { return std::make_shared<VolumeState>(*this); }
};

const std::string kStateKey = "PreFilterVolumeBinding";

std::string stringAt(const json::object& o, std::string_view path) {
  const json::value* v = api::findPath(o, path);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

std::vector<std::string> stringsAt(const json::object& o, std::string_view path) {
  std::vector<std::string> out;
  const json::value* v = api::findPath(o, path);
  if (!v || !v->is_array()) return out;
  for (const json::value& s : v->get_array()) {
    if (s.is_string()) out.emplace_back(s.get_string());
  }
  return out;
}

std::int64_t storageAt(const json::object& o, std::string_view path) {
  const json::value* v = api::findPath(o, path);
  if (!v) return 0;
  json::object list{{"storage", *v}};
  return parseResourceList(&list).get("storage");
}

std::string volumeModeOf(const json::object& o) {
  std::string mode = stringAt(o, "spec.volumeMode");
  return mode.empty() ? "Filesystem" : mode;
}

bool affinityAdmits(const json::object& volume, const NodeInfo& node) {
  const json::value* terms = api::findPath(volume, "spec.nodeAffinity.required.nodeSelectorTerms");
  if (!terms || !terms->is_array()) return true;
  for (const NodeSelectorTerm& t : parseNodeSelectorTerms(&terms->get_array())) {
    if (t.matches(node.labels, node.name)) return true;
  }
  return false;
}

// Does `volume` (Available, or pre-bound to this claim) satisfy `claim`?
bool volumeFits(const json::object& volume, const json::object& claim) {
  if (api::findPath(volume, "metadata.deletionTimestamp")) return false;
  if (const json::value* ref = api::findPath(volume, "spec.claimRef"); ref && ref->is_object()) {
    const json::object& r = ref->get_object();
    if (api::getString(r, "name") != api::metaName(claim) || api::getString(r, "namespace") != api::metaNamespace(claim)) {
      return false;
    }
  } else if (std::string phase = stringAt(volume, "status.phase"); !phase.empty() && phase != "Available") {
    return false;
  }
  if (stringAt(volume, "spec.storageClassName") != stringAt(claim, "spec.storageClassName")) return false;
  if (volumeModeOf(volume) != volumeModeOf(claim)) return false;
  std::vector<std::string> offered = stringsAt(volume, "spec.accessModes");
  for (const std::string& mode : stringsAt(claim, "spec.accessModes")) {
    if (std::find(offered.begin(), offered.end(), mode) == offered.end()) return false;
  }
  return storageAt(volume, "spec.capacity.storage") >= storageAt(claim, "spec.resources.requests.storage");
}

// A class's allowedTopologies (terms ORed, each of matchLabelExpressions ANDed).
bool topologyAdmits(const json::object& storageClass, const NodeInfo& node) {
  const json::value* terms = storageClass.if_contains("allowedTopologies");
  if (!terms || !terms->is_array() || terms->get_array().empty()) return true;
  for (const json::value& term : terms->get_array()) {
    const json::value* exprs = term.is_object() ? term.get_object().if_contains("matchLabelExpressions") : nullptr;
    if (!exprs || !exprs->is_array()) continue;
    bool all = true;
    for (const json::value& e : exprs->get_array()) {
      if (!e.is_object()) continue;
      auto label = node.labels.find(std::string(api::getString(e.get_object(), "key")));
      std::vector<std::string> values = stringsAt(e.get_object(), "values");
      all = all && label != node.labels.end() &&
            std::find(values.begin(), values.end(), label->second) != values.end();
    }
    if (all) return true;
  }
  return false;
}

std::string annotationOf(const json::object& o, const std::string& key) {
  const json::value* annotations = api::findPath(o, "metadata.annotations");
  if (!annotations || !annotations->is_object()) return "";
  const json::value* v = annotations->get_object().if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

}  // namespace

Result<PluginPtr> VolumeBinding::create(const json::object& args, Handle& handle) {
  std::int64_t seconds = 600;
  if (const json::value* v = args.if_contains("bindTimeoutSeconds"); v && v->is_int64()) seconds = v->get_int64();
  if (seconds < 0) {
    return makeError(Reason::Invalid, "bindTimeoutSeconds: Invalid value: " + std::to_string(seconds) +
                                          ": invalid BindTimeoutSeconds, should not be a negative value");
  }
  return PluginPtr(std::make_shared<VolumeBinding>(handle, std::chrono::seconds(seconds)));
}

Status VolumeBinding::preFilter(CycleState& state, const PodInfo& pod, const Snapshot&) {
  if (pod.claimNames.empty()) return Status::skip();
  auto s = std::make_shared<VolumeState>();
  bool unboundImmediate = false;
  for (const std::string& claim : pod.claimNames) {
    ObjectPtr pvc = handle_.lookup("persistentvolumeclaims", pod.ns, claim);
    if (!pvc) return Status::unresolvable("persistentvolumeclaim \"" + claim + "\" not found");
    if (api::findPath(*pvc, "metadata.deletionTimestamp")) {
      return Status::unresolvable("persistentvolumeclaim \"" + claim + "\" is being deleted");
    }
    std::string volume = stringAt(*pvc, "spec.volumeName");
    if (volume.empty()) {
      std::string className = stringAt(*pvc, "spec.storageClassName");
      ObjectPtr storageClass = className.empty() ? nullptr : handle_.lookup("storageclasses", "", className);
      if (storageClass && stringAt(*storageClass, "volumeBindingMode") == "WaitForFirstConsumer") {
        s->toBind.push_back({pvc, storageClass});
      } else {
        unboundImmediate = true;
      }
      continue;
    }
    ObjectPtr pv = handle_.lookup("persistentvolumes", "", volume);
    if (!pv) return Status::unresolvable("persistentvolume \"" + volume + "\" not found");
    const json::value* terms = api::findPath(*pv, "spec.nodeAffinity.required.nodeSelectorTerms");
    if (terms && terms->is_array()) s->volumeAffinity.push_back(parseNodeSelectorTerms(&terms->get_array()));
  }
  if (unboundImmediate) return Status::unresolvable(kUnbound);
  state.write(kStateKey, std::move(s));
  return Status::success();
}

Result<std::vector<std::string>> VolumeBinding::decide(const CycleState& state, const NodeInfo& node) const {
  const auto* s = state.read<VolumeState>(kStateKey);
  std::vector<std::string> chosen;
  if (!s) return chosen;
  std::vector<ObjectPtr> volumes = s->toBind.empty() ? std::vector<ObjectPtr>{} : handle_.list("persistentvolumes", "");
  for (const ClaimToBind& c : s->toBind) {
    std::string selected = annotationOf(*c.claim, kSelectedNode);
    if (!selected.empty() && selected != node.name) return makeError(Reason::Conflict, kBindConflict);
    ObjectPtr best;
    for (const ObjectPtr& v : volumes) {
      std::string name(api::metaName(*v));
      if (reservedVolumes_.count(name) || std::find(chosen.begin(), chosen.end(), name) != chosen.end()) continue;
      if (!volumeFits(*v, *c.claim) || !affinityAdmits(*v, node)) continue;
      if (!best || storageAt(*v, "spec.capacity.storage") < storageAt(*best, "spec.capacity.storage")) best = v;
    }
    if (best) {
      chosen.emplace_back(api::metaName(*best));
      continue;
    }
    std::string provisioner = stringAt(*c.storageClass, "provisioner");
    if (provisioner.empty() || provisioner == kNoProvisioner || !topologyAdmits(*c.storageClass, node)) {
      return makeError(Reason::Conflict, kBindConflict);
    }
    chosen.emplace_back();  // provision on this node
  }
  return chosen;
}

Status VolumeBinding::filter(const CycleState& state, const PodInfo&, const NodeInfo& node) const {
  const auto* s = state.read<VolumeState>(kStateKey);
  if (!s) return Status::success();
  for (const auto& terms : s->volumeAffinity) {
    bool any = false;
    for (const NodeSelectorTerm& t : terms) any = any || t.matches(node.labels, node.name);
    if (!any) return Status::unresolvable(kConflict);
  }
  auto decided = decide(state, node);
  if (!decided) return Status::unresolvable(decided.error().message);
  return Status::success();
}

Status VolumeBinding::reserve(CycleState& state, const PodInfo&, const std::string& nodeName) {
  auto* s = state.read<VolumeState>(kStateKey);
  if (!s || s->toBind.empty()) return Status::success();
  const NodeInfo* node = handle_.snapshot().find(nodeName);
  if (!node) return Status::error("node \"" + nodeName + "\" not found");
  auto decided = decide(state, *node);
  if (!decided) return Status::unschedulable(decided.error().message);
  s->decisions = std::move(*decided);
  for (const std::string& v : s->decisions) {
    if (!v.empty()) reservedVolumes_.insert(v);
  }
  return Status::success();
}

void VolumeBinding::unreserve(CycleState& state, const PodInfo&, const std::string&) {
  auto* s = state.read<VolumeState>(kStateKey);
  if (!s) return;
  for (const std::string& v : s->decisions) reservedVolumes_.erase(v);
  s->decisions.clear();
}

boost::asio::awaitable<Status> VolumeBinding::preBind(std::shared_ptr<CycleState> state, PodInfoPtr pod,
                                                      std::string node) {
  auto* s = state->read<VolumeState>(kStateKey);
  if (!s || s->toBind.empty()) co_return Status::skip();
  for (std::size_t i = 0; i < s->toBind.size() && i < s->decisions.size(); ++i) {
    const json::object& claim = *s->toBind[i].claim;
    Status written;
    if (s->decisions[i].empty()) {
      // The provisioner makes the volume on the node the pod goes to.
      ObjectPtr latest = handle_.lookup("persistentvolumeclaims", pod->ns, std::string(api::metaName(claim)));
      json::object annotated = latest ? *latest : claim;
      json::value& annotations = annotated["metadata"].as_object()["annotations"];
      if (!annotations.is_object()) annotations.emplace_object();
      annotations.as_object()[kSelectedNode] = node;
      written = co_await handle_.updateObject("persistentvolumeclaims", std::move(annotated));
    } else {
      ObjectPtr volume = handle_.lookup("persistentvolumes", "", s->decisions[i]);
      if (!volume) co_return Status::error("persistentvolume \"" + s->decisions[i] + "\" not found");
      json::object bound = *volume;
      bound["spec"].as_object()["claimRef"] =
          json::object{{"kind", "PersistentVolumeClaim"}, {"apiVersion", "v1"}, {"namespace", pod->ns},
                       {"name", api::metaName(claim)}, {"uid", stringAt(claim, "metadata.uid")}};
      written = co_await handle_.updateObject("persistentvolumes", std::move(bound));
    }
    if (!written.ok()) {
      unreserve(*state, *pod, node);
      co_return written;
    }
  }
  Status bound = co_await waitForBound(*pod);
  unreserve(*state, *pod, node);
  co_return bound;
}

boost::asio::awaitable<Status> VolumeBinding::waitForBound(const PodInfo& pod) {
  auto executor = co_await boost::asio::this_coro::executor;
  auto deadline = std::chrono::steady_clock::now() + bindTimeout_;
  boost::asio::steady_timer timer(executor);
  while (true) {
    bool all = true;
    for (const std::string& name : pod.claimNames) {
      ObjectPtr claim = handle_.lookup("persistentvolumeclaims", pod.ns, name);
      if (!claim) co_return Status::error("persistentvolumeclaim \"" + name + "\" not found");
      all = all && !stringAt(*claim, "spec.volumeName").empty() && stringAt(*claim, "status.phase") == "Bound";
    }
    if (all) co_return Status::success();
    if (std::chrono::steady_clock::now() >= deadline) {
      co_return Status::error("binding volumes: timed out waiting for the condition");
    }
    timer.expires_after(std::chrono::milliseconds(100));
    co_await timer.async_wait(boost::asio::use_awaitable);
  }
}

}  // namespace kcpp::scheduler::plugins
