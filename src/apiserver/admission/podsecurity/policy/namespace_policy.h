#pragma once
// A namespace's PodSecurity policy, from its labels (upstream's
// api.PolicyToEvaluate): pod-security.kubernetes.io/<mode>[-version] for the
// modes enforce, audit and warn. Unlabelled modes take the defaults,
// privileged:latest, as upstream's default PodSecurityConfiguration.

#include <boost/json.hpp>

#include <string>
#include <vector>

#include "apiserver/admission/podsecurity/policy/policy.h"

namespace kcpp::apiserver::admission::podsecurity {

struct LevelVersion {
  Level level = Level::Privileged;
  std::string version = "latest";  // "latest" or "v1.<minor>", as labelled
  std::string str() const;         // "restricted:latest"
  bool operator==(const LevelVersion&) const = default;
};

struct NamespacePolicy {
  LevelVersion enforce;
  LevelVersion audit;
  LevelVersion warn;
};

// A label with a value upstream rejects; field is metadata.labels[<label>].
struct LabelError {
  std::string label;
  std::string value;
  std::string message;  // "must be one of privileged, baseline, restricted"
};

struct ParsedPolicy {
  // Always usable: a bad enforce level reads as restricted (fail closed), a bad
  // audit or warn level as privileged (fail open), a bad version as latest.
  NamespacePolicy policy;
  std::vector<LabelError> errors;
};

// `labels`: the namespace's metadata.labels (null: none).
ParsedPolicy policyFromLabels(const json::object* labels);

}  // namespace kcpp::apiserver::admission::podsecurity
