#pragma once
// Pod and pod template validation (core/validation: ValidatePodSpec,
// ValidatePodTemplateSpec, ValidatePodCreate, ValidatePodUpdate).
//
// Fields upstream defaults before validating (restartPolicy, dnsPolicy,
// imagePullPolicy, protocols, ...) are accepted when absent, so validation does
// not depend on whether defaulting ran.

#include "api/validation/field_errors.h"

namespace kcpp::api::validation {

struct PodOptions {
  bool resourceIsPod = false;  // the spec belongs to a Pod, not a template
};

Causes validatePodSpec(const json::object& spec, const Path& p, const PodOptions& opts);
// ValidatePodTemplateSpec: template labels, annotations, spec; no ephemeral containers.
Causes validatePodTemplateSpec(const json::object& tmpl, const Path& p);

Causes validatePod(const json::object& pod);
Causes validatePodUpdate(const json::object& pod, const json::object& old);

// Shared with the workload validators.
Causes validateTolerations(const json::array* tolerations, const Path& p);
// The spec's effective restartPolicy ("Always" when unset, as defaulted).
std::string restartPolicyOf(const json::object& podSpec);

}  // namespace kcpp::api::validation
