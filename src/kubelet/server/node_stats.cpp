#include "kubelet/server/node_stats.h"

#include <boost/json.hpp>

#include <chrono>
#include <ctime>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "api/meta/object.h"

namespace kcpp::kubelet::server {

namespace json = boost::json;

namespace {

std::string rfc3339Now() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::string field(const json::object& o, const char* path) {
  auto* v = api::findPath(o, path);
  return v && v->is_string() ? std::string(v->as_string()) : "";
}

std::size_t runningContainers(const json::object& pod) {
  std::size_t n = 0;
  auto* statuses = api::findPath(pod, "status.containerStatuses");
  if (!statuses || !statuses->is_array()) return 0;
  for (const auto& s : statuses->as_array()) {
    if (s.is_object() && api::findPath(s.as_object(), "state.running")) ++n;
  }
  return n;
}

}  // namespace

NodeStats procNodeStats() {
  NodeStats stats;
  std::ifstream stat("/proc/stat");
  std::string cpu;
  std::uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  if (stat >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal) {
    auto ticks = static_cast<std::uint64_t>(::sysconf(_SC_CLK_TCK));
    std::uint64_t busy = user + nice + system + irq + softirq + steal;
    stats.cpuUsageCoreNanoSeconds = ticks ? busy * (1000000000ull / ticks) : 0;
  }
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::uint64_t value = 0, total = 0, available = 0;
  std::string unit;
  while (meminfo >> key >> value >> unit) {
    if (key == "MemTotal:") total = value * 1024;
    if (key == "MemAvailable:") available = value * 1024;
  }
  stats.memoryUsageBytes = total > available ? total - available : 0;
  stats.memoryWorkingSetBytes = stats.memoryUsageBytes;
  return stats;
}

std::string kubeletMetrics(RouteContext& ctx) {
  auto pods = ctx.pods.pods();
  std::size_t containers = 0;
  for (const auto& p : pods) containers += runningContainers(p);
  std::ostringstream out;
  out << "# HELP kubelet_node_name [ALPHA] The node's name. The count is always 1.\n"
      << "# TYPE kubelet_node_name gauge\n"
      << "kubelet_node_name{node=\"" << ctx.options.nodeName << "\"} 1\n"
      << "# HELP kubelet_running_pods [ALPHA] Number of pods that have a running pod sandbox\n"
      << "# TYPE kubelet_running_pods gauge\n"
      << "kubelet_running_pods " << pods.size() << "\n"
      << "# HELP kubelet_running_containers [ALPHA] Number of containers currently running\n"
      << "# TYPE kubelet_running_containers gauge\n"
      << "kubelet_running_containers{container_state=\"running\"} " << containers << "\n"
      << "# HELP kubelet_http_requests_total [ALPHA] Number of the http requests received since the server started\n"
      << "# TYPE kubelet_http_requests_total counter\n"
      << "kubelet_http_requests_total " << ctx.requests.load() << "\n";
  return out.str();
}

json::object statsSummary(RouteContext& ctx) {
  NodeStats node = ctx.nodeStats ? ctx.nodeStats() : procNodeStats();
  std::string now = rfc3339Now();
  auto cpu = [&](const NodeStats& s) {
    return json::object{{"time", now},
                        {"usageNanoCores", s.cpuUsageNanoCores},
                        {"usageCoreNanoSeconds", s.cpuUsageCoreNanoSeconds}};
  };
  auto memory = [&](const NodeStats& s) {
    return json::object{{"time", now},
                        {"usageBytes", s.memoryUsageBytes},
                        {"workingSetBytes", s.memoryWorkingSetBytes}};
  };
  json::array pods;
  for (const auto& pod : ctx.pods.pods()) {
    // Per-pod usage comes from the runtime's stats once it is wired; zero until then.
    NodeStats zero;
    json::array containers;
    auto* specContainers = api::findPath(pod, "spec.containers");
    if (specContainers && specContainers->is_array()) {
      for (const auto& c : specContainers->as_array()) {
        if (!c.is_object()) continue;
        containers.push_back(json::object{{"name", field(c.as_object(), "name")},
                                          {"startTime", field(pod, "status.startTime")},
                                          {"cpu", cpu(zero)},
                                          {"memory", memory(zero)}});
      }
    }
    pods.push_back(json::object{
        {"podRef", json::object{{"name", field(pod, "metadata.name")},
                                {"namespace", field(pod, "metadata.namespace")},
                                {"uid", field(pod, "metadata.uid")}}},
        {"startTime", field(pod, "status.startTime")},
        {"containers", std::move(containers)},
        {"cpu", cpu(zero)},
        {"memory", memory(zero)}});
  }
  return json::object{{"node", json::object{{"nodeName", ctx.options.nodeName},
                                            {"startTime", now},
                                            {"cpu", cpu(node)},
                                            {"memory", memory(node)}}},
                      {"pods", std::move(pods)}};
}

}  // namespace kcpp::kubelet::server
