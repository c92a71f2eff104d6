#include "apiserver/admission/resourcequota/quota_check.h"

#include <map>

#include "api/meta/object.h"

namespace kcpp::apiserver::admission {

namespace {

using quota::ResourceList;
using quota::ResourceNames;

// Every tracked resource that has a hard limit has a usage figure too.
bool hasUsageStats(const quota::ResourceQuota& q, const ResourceNames& tracked) {
  for (const auto& [name, hard] : q.hard) {
    if (tracked.count(name) && !q.used.count(name)) return false;
  }
  return true;
}

QuotaCheck forbid(std::string reason) { return QuotaCheck{std::move(reason), {}}; }

}  // namespace

QuotaCheck checkRequest(std::vector<quota::ResourceQuota> quotas, const QuotaRequest& request,
                        const quota::Evaluator& evaluator, quota::Clock::time_point now) {
  if (!evaluator.handles(request.operation)) return QuotaCheck{"", std::move(quotas)};
  const json::object& obj = *request.object;
  std::vector<std::size_t> interesting;
  for (std::size_t i = 0; i < quotas.size(); ++i) {
    const quota::ResourceQuota& q = quotas[i];
    if (!evaluator.matches(q, obj)) continue;
    ResourceNames tracked = evaluator.matchingResources(quota::names(q.hard));
    if (std::string why = evaluator.constraints(tracked, obj); !why.empty()) {
      return forbid("failed quota: " + q.name + ": " + why);
    }
    if (!hasUsageStats(q, tracked)) {
      return forbid("status unknown for quota: " + q.name +
                    ", resources: " + quota::prettyPrintNames(tracked));
    }
    interesting.push_back(i);
  }
  ResourceList usage = evaluator.usage(obj, now);
  if (ResourceNames negative = quota::negatives(usage); !negative.empty()) {
    return forbid("quota usage is negative for resource(s): " + quota::prettyPrintNames(negative));
  }
  std::map<std::size_t, ResourceList> deltas;
  for (std::size_t i : interesting) deltas[i] = usage;
  if (request.operation == quota::Operation::Update) {
    if (!request.oldObject) {
      return forbid("unable to get previous usage since prior version of object was not found");
    }
    // An update is charged what it adds to the stored object's usage, for the
    // quotas the stored object was already under.
    if (!api::metaResourceVersion(*request.oldObject).empty()) {
      ResourceList delta =
          quota::subtractWithNonNegativeResult(usage, evaluator.usage(*request.oldObject, now));
      for (std::size_t i : interesting) {
        if (evaluator.matches(quotas[i], *request.oldObject)) deltas[i] = delta;
      }
    }
  }
  for (auto it = deltas.begin(); it != deltas.end();) {
    it->second = quota::removeZeros(it->second);
    it = it->second.empty() ? deltas.erase(it) : std::next(it);
  }
  for (const auto& [i, delta] : deltas) {
    quota::ResourceQuota& q = quotas[i];
    ResourceList requested = quota::mask(delta, quota::names(q.hard));
    ResourceList used = quota::add(q.used, requested);
    ResourceNames over = quota::exceeded(quota::mask(used, quota::names(requested)), q.hard);
    if (!over.empty()) {
      return forbid("exceeded quota: " + q.name +
                    ", requested: " + quota::prettyPrint(quota::mask(requested, over)) +
                    ", used: " + quota::prettyPrint(quota::mask(q.used, over)) +
                    ", limited: " + quota::prettyPrint(quota::mask(q.hard, over)));
    }
    q.used = std::move(used);
  }
  return QuotaCheck{"", std::move(quotas)};
}

}  // namespace kcpp::apiserver::admission
