#include "scheduler/plugins/registry.h"

#include "scheduler/plugins/defaultbinder/default_binder.h"
#include "scheduler/plugins/defaultpreemption/default_preemption.h"
#include "scheduler/plugins/imagelocality/image_locality.h"
#include "scheduler/plugins/interpodaffinity/inter_pod_affinity.h"
#include "scheduler/plugins/nodeaffinity/node_affinity.h"
#include "scheduler/plugins/nodename/node_name.h"
#include "scheduler/plugins/nodeports/node_ports.h"
#include "scheduler/plugins/noderesources/fit.h"
#include "scheduler/plugins/podtopologyspread/pod_topology_spread.h"
#include "scheduler/plugins/nodeunschedulable/node_unschedulable.h"
#include "scheduler/plugins/queuesort/priority_sort.h"
#include "scheduler/plugins/tainttoleration/taint_toleration.h"
#include "scheduler/plugins/volumebinding/volume_binding.h"

namespace kcpp::scheduler::plugins {

namespace {

// A factory for plugins that take no arguments and need no handle.
template <class P>
PluginFactory plain() {
  return [](const boost::json::object&, Handle&) -> Result<PluginPtr> { return PluginPtr(std::make_shared<P>()); };
}

}  // namespace

PluginRegistry inTreeRegistry() {
  PluginRegistry r;
  r[PrioritySort::kName] = plain<PrioritySort>();
  r[NodeUnschedulable::kName] = plain<NodeUnschedulable>();
  r[NodeName::kName] = plain<NodeName>();
  r[NodePorts::kName] = plain<NodePorts>();
  r[NodeAffinity::kName] = plain<NodeAffinity>();
  r[TaintToleration::kName] = plain<TaintToleration>();
  r[NodeResourcesFit::kName] = [](const boost::json::object& args, Handle&) { return NodeResourcesFit::create(args); };
  r[NodeResourcesBalancedAllocation::kName] = plain<NodeResourcesBalancedAllocation>();
  r[ImageLocality::kName] = plain<ImageLocality>();
  r[PodTopologySpread::kName] = [](const boost::json::object& args, Handle& handle) {
    return PodTopologySpread::create(args, handle);
  };
  r[InterPodAffinity::kName] = plain<InterPodAffinity>();
  r[VolumeBinding::kName] = [](const boost::json::object& args, Handle& handle) {
    return VolumeBinding::create(args, handle);
  };
  r[DefaultBinder::kName] = [](const boost::json::object&, Handle& handle) -> Result<PluginPtr> {
    return PluginPtr(std::make_shared<DefaultBinder>(handle));
  };
  r[DefaultPreemption::kName] = [](const boost::json::object&, Handle& handle) -> Result<PluginPtr> {
    return PluginPtr(std::make_shared<DefaultPreemption>(handle));
  };
  return r;
}

Profile defaultProfile() {
  Profile p;
  p.queueSort = {"PrioritySort"};
  p.preFilter = {"NodeAffinity", "NodePorts", "NodeResourcesFit", "VolumeBinding", "PodTopologySpread",
                 "InterPodAffinity"};
  p.filter = {"NodeUnschedulable", "NodeName", "TaintToleration", "NodeAffinity", "NodePorts", "NodeResourcesFit",
              "VolumeBinding", "PodTopologySpread", "InterPodAffinity"};
  p.postFilter = {"DefaultPreemption"};
  p.preScore = {"NodeAffinity", "PodTopologySpread", "InterPodAffinity", "NodeResourcesBalancedAllocation",
                "ImageLocality"};
  p.score = {{"TaintToleration", 3}, {"NodeAffinity", 2}, {"NodeResourcesFit", 1}, {"PodTopologySpread", 2}, {"InterPodAffinity", 2},
             {"NodeResourcesBalancedAllocation", 1}, {"ImageLocality", 1}};
  p.reserve = {"VolumeBinding"};
  p.preBind = {"VolumeBinding"};
  p.bind = {"DefaultBinder"};
  return p;
}

const std::map<std::string, std::vector<std::string>>& extensionPointsOf() {
  static const std::map<std::string, std::vector<std::string>> points = {
      {"PrioritySort", {"QueueSort"}},
      {"NodeUnschedulable", {"Filter"}},
      {"NodeName", {"Filter"}},
      {"NodePorts", {"PreFilter", "Filter"}},
      {"NodeAffinity", {"PreFilter", "Filter", "PreScore", "Score"}},
      {"TaintToleration", {"Filter", "Score"}},
      {"NodeResourcesFit", {"PreFilter", "Filter", "Score"}},
      {"NodeResourcesBalancedAllocation", {"PreScore", "Score"}},
      {"ImageLocality", {"PreScore", "Score"}},
      {"DefaultBinder", {"Bind"}},
      {"DefaultPreemption", {"PostFilter"}},
      {"PodTopologySpread", {"PreFilter", "Filter", "PreScore", "Score"}},
      {"InterPodAffinity", {"PreFilter", "Filter", "PreScore", "Score"}},
      {"VolumeBinding", {"PreFilter", "Filter", "Reserve", "PreBind"}},
  };
  return points;
}

}  // namespace kcpp::scheduler::plugins
