#pragma once
// Test-only: pods and nodes from JSON text, parsed as the informers' objects are.
#include <boost/json.hpp>

#include <memory>
#include <string_view>

#include "scheduler/framework/node_info.h"
#include "scheduler/framework/pod_info.h"

namespace kcpp::scheduler::testing {

inline PodInfoPtr pod(std::string_view json) {
  return parsePodInfo(std::make_shared<const boost::json::object>(boost::json::parse(json).as_object()));
}

// A node named `name` with cpu/memory/pods allocatable and optional extra JSON
// merged into it (e.g. spec.taints).
inline NodeInfo node(const std::string& name, const std::string& cpu = "4", const std::string& memory = "8Gi",
                     std::string_view extra = "{}") {
  boost::json::object obj = boost::json::parse(extra).as_object();
  obj["kind"] = "Node";
  boost::json::object& meta = obj["metadata"].is_object() ? obj["metadata"].as_object()
                                                          : obj["metadata"].emplace_object();
  meta["name"] = name;
  boost::json::object& status = obj["status"].is_object() ? obj["status"].as_object()
                                                          : obj["status"].emplace_object();
  status["allocatable"] = boost::json::object{{"cpu", cpu}, {"memory", memory}, {"pods", "110"}};
  NodeInfo info;
  setNode(info, std::make_shared<const boost::json::object>(std::move(obj)));
  return info;
}

}  // namespace kcpp::scheduler::testing
