#include "sim/sim_node.h"

#include <cstdio>
#include <functional>

#include "api/meta/object.h"

namespace kcpp::sim {

namespace {

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string item = text.substr(start, comma - start);
    if (!item.empty()) out.push_back(item);
    start = comma + 1;
  }
  return out;
}

std::string hexId(const std::string& seed) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016zx%016zx", std::hash<std::string>{}(seed),
                std::hash<std::string>{}(seed + "#"));
  return buf;
}

// A UUID-shaped id derived from `seed` (stable across restarts of the sim).
std::string uuidFrom(const std::string& seed) {
  std::string h = hexId(seed);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" +
         h.substr(20, 12);
}

}  // namespace

NodeIdentity nodeIdentity(const std::string& prefix, int index) {
  NodeIdentity id;
  id.name = prefix + std::to_string(index);
  id.index = index;
  id.internalIP = "10.1." + std::to_string(index / 250) + "." + std::to_string(index % 250 + 1);
  id.podPrefix = "10." + std::to_string(128 + index / 256) + "." + std::to_string(index % 256) + ".";
  return id;
}

std::optional<std::map<std::string, std::string>> parseLabels(const std::string& text, std::string& error) {
  std::map<std::string, std::string> out;
  for (const std::string& item : splitList(text)) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      error = "invalid label \"" + item + "\": want key=value";
      return std::nullopt;
    }
    out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return out;
}

std::optional<json::array> parseTaints(const std::string& text, std::string& error) {
  json::array out;
  for (const std::string& item : splitList(text)) {
    auto colon = item.rfind(':');
    std::string effect = colon == std::string::npos ? "" : item.substr(colon + 1);
    if (effect != "NoSchedule" && effect != "PreferNoSchedule" && effect != "NoExecute") {
      error = "invalid taint \"" + item + "\": want key[=value]:NoSchedule|PreferNoSchedule|NoExecute";
      return std::nullopt;
    }
    std::string keyValue = item.substr(0, colon);
    auto eq = keyValue.find('=');
    json::object taint{{"key", keyValue.substr(0, eq)}, {"effect", effect}};
    if (eq != std::string::npos) taint["value"] = keyValue.substr(eq + 1);
    if (api::getString(taint, "key").empty()) {
      error = "invalid taint \"" + item + "\": empty key";
      return std::nullopt;
    }
    out.push_back(std::move(taint));
  }
  return out;
}

json::object nodeObject(const NodeIdentity& id, const NodeTemplate& tmpl) {
  json::object labels{{"beta.kubernetes.io/arch", "amd64"},
                      {"beta.kubernetes.io/os", "linux"},
                      {"kubernetes.io/arch", "amd64"},
                      {"kubernetes.io/hostname", id.name},
                      {"kubernetes.io/os", "linux"}};
  for (const auto& [k, v] : tmpl.labels) labels[k] = v;
  json::object node{{"apiVersion", "v1"}, {"kind", "Node"}};
  node["metadata"] = json::object{{"name", id.name}, {"labels", std::move(labels)},
                                  {"annotations", json::object{{"node.alpha.kubernetes.io/ttl", "0"}}}};
  json::object spec;
  if (!tmpl.taints.empty()) spec["taints"] = tmpl.taints;
  node["spec"] = std::move(spec);
  return node;
}

json::object nodeStatus(const NodeIdentity& id, const NodeTemplate& tmpl, SystemTime now, SystemTime readySince) {
  json::object resources{{"cpu", tmpl.cpu},
                         {"memory", tmpl.memory},
                         {"pods", tmpl.pods},
                         {"ephemeral-storage", tmpl.ephemeralStorage},
                         {"hugepages-1Gi", "0"},
                         {"hugepages-2Mi", "0"}};
  json::object status;
  status["capacity"] = resources;
  status["allocatable"] = std::move(resources);
  status["conditions"] = healthyConditions(now, readySince);
  status["addresses"] = json::array{json::object{{"type", "InternalIP"}, {"address", id.internalIP}},
                                    json::object{{"type", "Hostname"}, {"address", id.name}}};
  status["daemonEndpoints"] = json::object{{"kubeletEndpoint", json::object{{"Port", 10250}}}};
  status["nodeInfo"] = json::object{{"machineID", hexId("machine/" + id.name)},
                                    {"systemUUID", uuidFrom("system/" + id.name)},
                                    {"bootID", uuidFrom("boot/" + id.name)},
                                    {"kernelVersion", "6.1.0-kcpp-sim"},
                                    {"osImage", "kcpp simulated node"},
                                    {"containerRuntimeVersion", "containerd://1.7.24"},
                                    {"kubeletVersion", tmpl.kubeletVersion},
                                    {"kubeProxyVersion", ""},
                                    {"operatingSystem", "linux"},
                                    {"architecture", "amd64"}};
  return status;
}

}  // namespace kcpp::sim
