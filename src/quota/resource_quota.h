#pragma once
// The parts of a ResourceQuota object the quota system reads (DESIGN.md §4: a
// typed view over the JSON, not a re-declared struct of the whole type).

#include <boost/json.hpp>

#include <string>
#include <vector>

#include "quota/resource_list.h"

namespace kcpp::quota {

// corev1.ScopedResourceSelectorRequirement: spec.scopes entries become
// {scope, Exists}; spec.scopeSelector.matchExpressions are taken as they are.
struct ScopeSelector {
  std::string scopeName;
  std::string op;  // In, NotIn, Exists, DoesNotExist
  std::vector<std::string> values;
};

struct ResourceQuota {
  std::string name;
  std::string ns;
  std::string resourceVersion;
  ResourceList specHard;
  ResourceList hard;  // status.hard
  ResourceList used;  // status.used
  bool hasStatusHard = false;
  bool hasStatusUsed = false;
  std::vector<std::string> scopes;        // spec.scopes
  std::vector<ScopeSelector> selectors;   // spec.scopeSelector.matchExpressions

  // upstream's getScopeSelectorsFromQuota: the scopes as Exists, then the selector's.
  std::vector<ScopeSelector> allSelectors() const;
};

ResourceQuota parseResourceQuota(const json::object& obj);

}  // namespace kcpp::quota
