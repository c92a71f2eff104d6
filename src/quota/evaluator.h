#pragma once
// Evaluator: what one resource costs in quota terms (upstream's quota.Evaluator).
// pods, services and persistentvolumeclaims have their own; every other resource
// is counted by an object-count evaluator ("count/<resource>.<group>", plus the
// legacy names "configmaps", "secrets", "replicationcontrollers", "resourcequotas").

#include <boost/json.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "quota/resource_list.h"
#include "quota/resource_quota.h"

namespace kcpp::quota {

using Clock = std::chrono::system_clock;

enum class Operation { Create, Update };

class Evaluator {
 public:
  Evaluator(std::string group, std::string resource)
      : group_(std::move(group)), resource_(std::move(resource)) {}
  virtual ~Evaluator() = default;

  const std::string& group() const { return group_; }
  const std::string& resource() const { return resource_; }

  // Whether a write of this kind can change usage (upstream's Handles).
  virtual bool handles(Operation op) const { return op == Operation::Create; }
  // What the object must declare when a quota tracks `required` (pods: cpu and
  // memory requests/limits); the reason it fails, or empty.
  virtual std::string constraints(const ResourceNames& /*required*/,
                                  const json::object& /*obj*/) const {
    return "";
  }
  // The names in `input` this evaluator accounts for.
  virtual ResourceNames matchingResources(const ResourceNames& input) const = 0;
  // Whether the object is in a quota scope; by default nothing is (a scoped
  // quota then does not apply), as upstream's MatchesNoScopeFunc.
  virtual bool matchesScope(const ScopeSelector& /*selector*/, const json::object& /*obj*/) const {
    return false;
  }
  // What the object consumes; `now` decides whether a terminating pod still counts.
  virtual ResourceList usage(const json::object& obj, Clock::time_point now) const = 0;

  // Upstream's generic Matches: the quota's status.hard names something this
  // evaluator tracks, and the object is in all of the quota's scopes.
  bool matches(const ResourceQuota& quota, const json::object& obj) const;
  bool matchesScopes(const std::vector<ScopeSelector>& selectors, const json::object& obj) const;

 private:
  std::string group_;
  std::string resource_;
};
using EvaluatorPtr = std::unique_ptr<Evaluator>;

// "count/pods", "count/deployments.apps".
std::string objectCountName(const std::string& group, const std::string& resource);

// CalculateUsageStats: the summed usage of the `items` in all the scopes, with
// every name of `resources` present (zero when nothing uses it).
ResourceList usageStats(const Evaluator& evaluator, const std::vector<json::object>& items,
                        const std::vector<ScopeSelector>& selectors,
                        const ResourceNames& resources, Clock::time_point now);

EvaluatorPtr makePodEvaluator();
EvaluatorPtr makeServiceEvaluator();
EvaluatorPtr makePersistentVolumeClaimEvaluator();
// `alias`: the legacy name counted along ("configmaps"), or empty.
EvaluatorPtr makeObjectCountEvaluator(const std::string& group, const std::string& resource,
                                      const std::string& alias = "");

// The evaluators by resource: the core ones, and object-count ones added on
// first use (thread safe; evaluators live as long as the registry).
class EvaluatorRegistry {
 public:
  EvaluatorRegistry();
  const Evaluator& get(const std::string& group, const std::string& resource);
  // Resources quota never counts: virtual ones and events (upstream's
  // DefaultIgnoredResources).
  static bool ignored(const std::string& group, const std::string& resource);

 private:
  std::mutex mu_;
  std::vector<EvaluatorPtr> evaluators_;
};

}  // namespace kcpp::quota
