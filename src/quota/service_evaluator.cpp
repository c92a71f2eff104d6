// Services and PersistentVolumeClaims in quota (upstream
// pkg/quota/v1/evaluator/core/services.go and persistent_volume_claims.go).
#include <optional>

#include "api/meta/object.h"
#include "quota/evaluator.h"

namespace kcpp::quota {

namespace {

ResourceNames intersect(const ResourceNames& input, const ResourceNames& known) {
  ResourceNames out;
  for (const auto& name : input) {
    if (known.count(name)) out.insert(name);
  }
  return out;
}

std::int64_t countPorts(const json::object& svc, bool onlyWithNodePort) {
  const json::value* ports = api::findPath(svc, "spec.ports");
  if (!ports || !ports->is_array()) return 0;
  std::int64_t n = 0;
  for (const auto& p : ports->get_array()) {
    if (!onlyWithNodePort) {
      ++n;
      continue;
    }
    const json::value* nodePort = p.is_object() ? p.get_object().if_contains("nodePort") : nullptr;
    if (nodePort && nodePort->is_int64() && nodePort->get_int64() != 0) ++n;
  }
  return n;
}

class ServiceEvaluator : public Evaluator {
 public:
  ServiceEvaluator() : Evaluator("", "services") {}
  // A service's type can change, and with it its node ports and load balancer.
  bool handles(Operation) const override { return true; }
  ResourceNames matchingResources(const ResourceNames& input) const override {
    static const ResourceNames known = {"count/services", "services", "services.nodeports",
                                        "services.loadbalancers"};
    return intersect(input, known);
  }
  ResourceList usage(const json::object& svc, Clock::time_point) const override {
    ResourceList out{{"count/services", Quantity::fromInt(1)},
                     {"services", Quantity::fromInt(1)},
                     {"services.loadbalancers", Quantity()},
                     {"services.nodeports", Quantity()}};
    const json::value* typeField = api::findPath(svc, "spec.type");
    std::string_view type = typeField && typeField->is_string() ? std::string_view(typeField->get_string())
                                                                : std::string_view();
    if (type == "NodePort") {
      out["services.nodeports"] = Quantity::fromInt(countPorts(svc, false));
    } else if (type == "LoadBalancer") {
      // Without allocated node ports only the ports that name one count.
      const json::value* allocate = api::findPath(svc, "spec.allocateLoadBalancerNodePorts");
      bool none = allocate && allocate->is_bool() && !allocate->get_bool();
      out["services.nodeports"] = Quantity::fromInt(countPorts(svc, none));
      out["services.loadbalancers"] = Quantity::fromInt(1);
    }
    return out;
  }
};

const char* const kStorageClassSuffix = ".storageclass.storage.k8s.io/";

// GetPersistentVolumeClaimClass: the beta annotation wins over the field.
std::string claimClass(const json::object& pvc) {
  const json::value* annotation =
      api::findPath(pvc, "metadata.annotations");
  if (annotation && annotation->is_object()) {
    const json::value* c = annotation->get_object().if_contains("volume.beta.kubernetes.io/storage-class");
    if (c && c->is_string()) return std::string(c->get_string());
  }
  const json::value* field = api::findPath(pvc, "spec.storageClassName");
  return field && field->is_string() ? std::string(field->get_string()) : "";
}

bool endsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

class PersistentVolumeClaimEvaluator : public Evaluator {
 public:
  PersistentVolumeClaimEvaluator() : Evaluator("", "persistentvolumeclaims") {}
  // A claim may be resized.
  bool handles(Operation) const override { return true; }
  ResourceNames matchingResources(const ResourceNames& input) const override {
    ResourceNames out;
    for (const auto& name : input) {
      if (name == "count/persistentvolumeclaims" || name == "persistentvolumeclaims" ||
          name == "requests.storage" ||
          endsWith(name, std::string(kStorageClassSuffix) + "persistentvolumeclaims") ||
          endsWith(name, std::string(kStorageClassSuffix) + "requests.storage")) {
        out.insert(name);
      }
    }
    return out;
  }
  ResourceList usage(const json::object& pvc, Clock::time_point) const override {
    ResourceList out{{"persistentvolumeclaims", Quantity::fromInt(1)},
                     {"count/persistentvolumeclaims", Quantity::fromInt(1)}};
    std::string storageClass = claimClass(pvc);
    if (!storageClass.empty()) {
      out[storageClass + kStorageClassSuffix + "persistentvolumeclaims"] = Quantity::fromInt(1);
    }
    if (auto storage = storageUsage(pvc)) {
      out["requests.storage"] = *storage;
      if (!storageClass.empty()) out[storageClass + kStorageClassSuffix + "requests.storage"] = *storage;
    }
    return out;
  }

 private:
  // The request in whole bytes; a larger allocated size (a resize under way) wins.
  static std::optional<Quantity> storageUsage(const json::object& pvc) {
    ResourceList requests = parseResourceList(api::findPath(pvc, "spec.resources.requests"));
    auto requested = requests.find("storage");
    if (requested == requests.end()) return std::nullopt;
    Quantity result = requested->second.roundedUp();
    ResourceList allocated = parseResourceList(api::findPath(pvc, "status.allocatedResources"));
    if (auto it = allocated.find("storage"); it != allocated.end() && it->second > result) {
      result = it->second.roundedUp();
    }
    return result;
  }
};

}  // namespace

EvaluatorPtr makeServiceEvaluator() { return std::make_unique<ServiceEvaluator>(); }
EvaluatorPtr makePersistentVolumeClaimEvaluator() {
  return std::make_unique<PersistentVolumeClaimEvaluator>();
}

}  // namespace kcpp::quota
