// Tightening a namespace's enforce level: the pods already running there are
// not touched, but the request warns about those that would now be refused
// (upstream's EvaluatePodsInNamespace).
#include <algorithm>
#include <map>
#include <set>

#include "api/meta/object.h"
#include "apiserver/admission/listing/listing.h"
#include "apiserver/admission/podsecurity/pod_security.h"
#include "apiserver/admission/podsecurity/pod_templates.h"

namespace kcpp::apiserver::admission {

namespace {

// Upstream checks at most this many pods.
constexpr std::size_t kMaxPodsToCheck = 3000;

std::string controllerUid(const json::object& pod) {
  const json::object* meta = api::findObject(pod, "metadata");
  const json::value* refs = meta ? meta->if_contains("ownerReferences") : nullptr;
  if (!refs || !refs->is_array()) return "";
  for (const json::value& ref : refs->get_array()) {
    if (!ref.is_object()) continue;
    const json::value* controller = ref.get_object().if_contains("controller");
    if (controller && controller->is_bool() && controller->get_bool()) {
      return std::string(api::getString(ref.get_object(), "uid"));
    }
  }
  return "";
}

// One pod per controller first, so that a capped check still sees every
// workload; replicas of an already-seen controller after.
std::vector<json::object> prioritized(std::vector<json::object> pods) {
  std::vector<json::object> first;
  std::vector<json::object> replicas;
  std::set<std::string> seenControllers;
  for (json::object& pod : pods) {
    std::string uid = controllerUid(pod);
    if (uid.empty() || seenControllers.insert(uid).second) {
      first.push_back(std::move(pod));
    } else {
      replicas.push_back(std::move(pod));
    }
  }
  for (json::object& pod : replicas) first.push_back(std::move(pod));
  return first;
}

// The lexically first pod with a warning, and how many pods share it.
struct PodCount {
  std::string podName;
  std::size_t count = 0;
};

std::string decorated(const std::string& warning, const PodCount& c) {
  if (c.count == 1) return c.podName + ": " + warning;
  if (c.count == 2) return c.podName + " (and 1 other pod): " + warning;
  return c.podName + " (and " + std::to_string(c.count - 1) + " other pods): " + warning;
}

}  // namespace

boost::asio::awaitable<std::vector<std::string>> PodSecurity::checkExistingPods(
    const std::string& ns, const podsecurity::LevelVersion& enforce) {
  auto listed = co_await listObjects(pods_, ns);
  if (!listed) {
    co_return std::vector<std::string>{
        "failed to list pods while checking new PodSecurity enforce level"};
  }
  std::vector<json::object> pods = prioritized(std::move(*listed));
  std::size_t total = pods.size();
  std::size_t checked = std::min(total, kMaxPodsToCheck);
  std::vector<std::string> order;  // distinct warnings, first seen first
  std::map<std::string, PodCount> counts;
  for (std::size_t i = 0; i < checked; ++i) {
    podsecurity::PodParts parts = podsecurity::podParts(pods[i]);
    auto violations = podsecurity::evaluatePod(enforce.level, *parts.metadata, *parts.spec);
    if (violations.empty()) continue;
    std::string warning = podsecurity::forbiddenReasons(violations);
    std::string name(api::metaName(pods[i]));
    auto [it, inserted] = counts.try_emplace(warning, PodCount{name, 0});
    if (inserted) order.push_back(warning);
    if (name < it->second.podName) it->second.podName = name;
    ++it->second.count;
  }
  std::vector<std::string> warnings;
  if (checked < total) {
    warnings.push_back("new PodSecurity enforce level only checked against the first " +
                       std::to_string(checked) + " of " + std::to_string(total) + " existing pods");
  }
  if (!order.empty()) {
    warnings.push_back("existing pods in namespace \"" + ns +
                       "\" violate the new PodSecurity enforce level \"" + enforce.str() + "\"");
  }
  std::vector<std::string> podWarnings;
  for (const std::string& w : order) podWarnings.push_back(decorated(w, counts[w]));
  std::sort(podWarnings.begin(), podWarnings.end());
  warnings.insert(warnings.end(), podWarnings.begin(), podWarnings.end());
  co_return warnings;
}

}  // namespace kcpp::apiserver::admission
