#include "quota/evaluator.h"

namespace kcpp::quota {

bool Evaluator::matchesScopes(const std::vector<ScopeSelector>& selectors,
                              const json::object& obj) const {
  for (const auto& selector : selectors) {
    if (!matchesScope(selector, obj)) return false;
  }
  return true;
}

bool Evaluator::matches(const ResourceQuota& quota, const json::object& obj) const {
  return !matchingResources(names(quota.hard)).empty() &&
         matchesScopes(quota.allSelectors(), obj);
}

std::string objectCountName(const std::string& group, const std::string& resource) {
  return group.empty() ? "count/" + resource : "count/" + resource + "." + group;
}

ResourceList usageStats(const Evaluator& evaluator, const std::vector<json::object>& items,
                        const std::vector<ScopeSelector>& selectors,
                        const ResourceNames& resources, Clock::time_point now) {
  ResourceList used;
  for (const auto& name : resources) used.emplace(name, Quantity());
  for (const auto& item : items) {
    if (evaluator.matchesScopes(selectors, item)) used = add(used, evaluator.usage(item, now));
  }
  return used;
}

namespace {

class ObjectCountEvaluator : public Evaluator {
 public:
  ObjectCountEvaluator(const std::string& group, const std::string& resource,
                       const std::string& alias)
      : Evaluator(group, resource) {
    names_.insert(objectCountName(group, resource));
    if (!alias.empty()) names_.insert(alias);
  }
  ResourceNames matchingResources(const ResourceNames& input) const override {
    ResourceNames out;
    for (const auto& name : input) {
      if (names_.count(name)) out.insert(name);
    }
    return out;
  }
  ResourceList usage(const json::object&, Clock::time_point) const override {
    ResourceList out;
    for (const auto& name : names_) out.emplace(name, Quantity::fromInt(1));
    return out;
  }

 private:
  ResourceNames names_;
};

}  // namespace

EvaluatorPtr makeObjectCountEvaluator(const std::string& group, const std::string& resource,
                                      const std::string& alias) {
  return std::make_unique<ObjectCountEvaluator>(group, resource, alias);
}

EvaluatorRegistry::EvaluatorRegistry() {
  evaluators_.push_back(makePodEvaluator());
  evaluators_.push_back(makeServiceEvaluator());
  evaluators_.push_back(makePersistentVolumeClaimEvaluator());
  for (const char* legacy : {"configmaps", "resourcequotas", "replicationcontrollers", "secrets"}) {
    evaluators_.push_back(makeObjectCountEvaluator("", legacy, legacy));
  }
}

const Evaluator& EvaluatorRegistry::get(const std::string& group, const std::string& resource) {
  std::lock_guard lock(mu_);
  for (const auto& e : evaluators_) {
    if (e->group() == group && e->resource() == resource) return *e;
  }
  evaluators_.push_back(makeObjectCountEvaluator(group, resource));
  return *evaluators_.back();
}

bool EvaluatorRegistry::ignored(const std::string& group, const std::string& resource) {
  static const std::pair<const char*, const char*> kIgnored[] = {
      {"", "bindings"},
      {"", "componentstatuses"},
      {"authentication.k8s.io", "tokenreviews"},
      {"authentication.k8s.io", "selfsubjectreviews"},
      {"authorization.k8s.io", "subjectaccessreviews"},
      {"authorization.k8s.io", "selfsubjectaccessreviews"},
      {"authorization.k8s.io", "localsubjectaccessreviews"},
      {"authorization.k8s.io", "selfsubjectrulesreviews"},
      {"", "events"},
      {"events.k8s.io", "events"},
  };
  for (const auto& [g, r] : kIgnored) {
    if (group == g && resource == r) return true;
  }
  return false;
}

}  // namespace kcpp::quota
