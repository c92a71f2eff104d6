#pragma once
// Internal to PodSecurity: where pods and pod-bearing objects keep the pod
// metadata and spec the policy checks, and which pod updates are checked.

#include <boost/json.hpp>

#include <optional>
#include <string_view>

namespace kcpp::apiserver::admission::podsecurity {

namespace json = boost::json;

struct PodParts {
  const json::object* metadata;  // never null (an empty object when absent)
  const json::object* spec;      // never null
};

// Whether objects of this resource carry a pod template (upstream's default
// pod spec extractor: podtemplates, replicationcontrollers, replicasets,
// deployments, statefulsets, daemonsets, jobs, cronjobs).
bool hasPodTemplate(std::string_view group, std::string_view resource);

// The pod template of such an object; nullopt when it has none (a
// ReplicationController without template).
std::optional<PodParts> podTemplateOf(std::string_view resource, const json::object& obj);

// The pod's own metadata and spec.
PodParts podParts(const json::object& pod);

// Upstream's isSignificantPodUpdate: only updates that can change what the
// policy sees (container images and counts, seccomp annotations, ephemeral
// containers added or changed) are checked; the rest of a pod is immutable or
// irrelevant to the policy.
bool isSignificantPodUpdate(const json::object& pod, const json::object& oldPod);

}  // namespace kcpp::apiserver::admission::podsecurity
