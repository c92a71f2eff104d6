#include "scheduler/plugins/volumebinding/volume_binding.h"

#include "api/meta/object.h"

namespace kcpp::scheduler::plugins {

namespace json = boost::json;

namespace {

// The node affinity of every bound PV the pod uses (each list: terms ORed).
struct VolumeState final : StateData {
  std::vector<std::vector<NodeSelectorTerm>> volumeAffinity;
  std::shared_ptr<StateData> clone() const override { return std::make_shared<VolumeState>(*this); }
};

const std::string kStateKey = "PreFilterVolumeBinding";

std::string stringAt(const json::object& o, std::string_view path) {
  const json::value* v = api::findPath(o, path);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

}  // namespace

Status VolumeBinding::preFilter(CycleState& state, const PodInfo& pod, const Snapshot&) {
  if (pod.claimNames.empty()) return Status::skip();
  auto s = std::make_shared<VolumeState>();
  bool unbound = false;
  for (const std::string& claim : pod.claimNames) {
    ObjectPtr pvc = handle_.lookup("persistentvolumeclaims", pod.ns, claim);
    if (!pvc) return Status::unresolvable("persistentvolumeclaim \"" + claim + "\" not found");
    if (api::findPath(*pvc, "metadata.deletionTimestamp")) {
      return Status::unresolvable("persistentvolumeclaim \"" + claim + "\" is being deleted");
    }
    std::string volume = stringAt(*pvc, "spec.volumeName");
    if (volume.empty()) {
      unbound = true;
      continue;
    }
    ObjectPtr pv = handle_.lookup("persistentvolumes", "", volume);
    if (!pv) return Status::unresolvable("persistentvolume \"" + volume + "\" not found");
    const json::value* terms = api::findPath(*pv, "spec.nodeAffinity.required.nodeSelectorTerms");
    if (terms && terms->is_array()) s->volumeAffinity.push_back(parseNodeSelectorTerms(&terms->get_array()));
  }
  if (unbound) return Status::unresolvable(kUnbound);
  state.write(kStateKey, std::move(s));
  return Status::success();
}

Status VolumeBinding::filter(const CycleState& state, const PodInfo&, const NodeInfo& node) const {
  const auto* s = state.read<VolumeState>(kStateKey);
  if (!s) return Status::success();
  for (const auto& terms : s->volumeAffinity) {
    bool any = false;
    for (const NodeSelectorTerm& t : terms) any = any || t.matches(node.labels, node.name);
    if (!any) return Status::unresolvable(kConflict);
  }
  return Status::success();
}

}  // namespace kcpp::scheduler::plugins
