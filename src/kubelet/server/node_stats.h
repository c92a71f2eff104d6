#pragma once
// /metrics (Prometheus text, a few of upstream's kubelet metrics) and
// /stats/summary (upstream's stats/v1alpha1 Summary: node and pod cpu/memory).

#include <boost/json/object.hpp>

#include <string>

#include "kubelet/server/kubelet_routes.h"

namespace kcpp::kubelet::server {

// The node's usage from /proc (cpu time of all cores, memory in use), for when
// no better source (cgroups or CRI stats) was set.
NodeStats procNodeStats();

std::string kubeletMetrics(RouteContext& ctx);
boost::json::object statsSummary(RouteContext& ctx);

}  // namespace kcpp::kubelet::server
