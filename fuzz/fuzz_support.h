#pragma once
// Shared bits of the harnesses: the built-in schemas (loaded once) and a small
// realistic Deployment to patch.
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "api/schema/schema_set.h"

namespace kcpp::fuzz {

inline const api::SchemaSet& builtinSchemas() {
  static const api::SchemaSet* schemas = [] {
    auto loaded = api::SchemaSet::loadBuiltin();
    if (!loaded) {
      std::fprintf(stderr, "loading the built-in schemas failed\n");
      std::abort();
    }
    return new api::SchemaSet(std::move(*loaded));
  }();
  return *schemas;
}

inline constexpr std::string_view kDeployment = R"({
  "apiVersion": "apps/v1", "kind": "Deployment",
  "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"},
               "annotations": {"a": "b"}, "resourceVersion": "12", "uid": "3f0c7d5e-1111-4a4a-9b9b-000000000001"},
  "spec": {
    "replicas": 3,
    "selector": {"matchLabels": {"app": "web"}},
    "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
    "template": {
      "metadata": {"labels": {"app": "web"}},
      "spec": {
        "containers": [
          {"name": "app", "image": "nginx:1.25", "ports": [{"containerPort": 80, "protocol": "TCP"}],
           "env": [{"name": "A", "value": "1"}, {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
           "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": "100m"}},
           "volumeMounts": [{"name": "data", "mountPath": "/data"}]},
          {"name": "sidecar", "image": "busybox", "args": ["sleep", "1d"]}
        ],
        "volumes": [{"name": "data", "emptyDir": {}}],
        "tolerations": [{"key": "k", "operator": "Exists"}],
        "finalizers": ["x"]
      }
    }
  },
  "status": {"replicas": 3, "conditions": [{"type": "Available", "status": "True"}]}
})";

inline const boost::json::value& deployment() {
  static const boost::json::value* doc = new boost::json::value(boost::json::parse(kDeployment));
  return *doc;
}

inline std::string_view asText(const unsigned char* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace kcpp::fuzz
