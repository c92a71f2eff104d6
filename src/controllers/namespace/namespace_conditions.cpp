// The namespace status conditions of a deletion pass, with upstream's types,
// reasons and messages (pkg/controller/namespace/deletion/status_condition_utils.go).
#include <algorithm>

#include "api/meta/object.h"
#include "controllers/namespace/namespaced_resources_deleter.h"

namespace kcpp::controllers {

namespace {

struct ConditionText {
  const char* type;
  const char* okReason;
  const char* okMessage;
};

// In upstream's order.
constexpr ConditionText kConditions[] = {
    {"NamespaceDeletionDiscoveryFailure", "ResourcesDiscovered", "All resources successfully discovered"},
    {"NamespaceDeletionGroupVersionParsingFailure", "ParsedGroupVersions",
     "All legacy kube types successfully parsed"},
    {"NamespaceDeletionContentFailure", "ContentDeleted",
     "All content successfully deleted, may be waiting on finalization"},
    {"NamespaceContentRemaining", "ContentRemoved", "All content successfully removed"},
    {"NamespaceFinalizersRemaining", "ContentRemoved", "All content successfully removed"},
};

std::string join(std::vector<std::string> parts) {
  std::sort(parts.begin(), parts.end());  // stable texts, stable updates
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

// The failing variant of each condition type this pass produced.
std::map<std::string, json::object> failures(const DeletionOutcome& outcome) {
  std::map<std::string, json::object> out;
  auto failing = [&](const char* type, const char* reason, std::string message) {
    out[type] = json::object{{"type", type}, {"status", "True"}, {"reason", reason},
                             {"message", std::move(message)}};
  };
  if (!outcome.discoveryError.empty()) {
    failing("NamespaceDeletionDiscoveryFailure", "DiscoveryFailed", outcome.discoveryError);
  }
  if (!outcome.contentErrors.empty()) {
    failing("NamespaceDeletionContentFailure", "ContentDeletionFailed",
            "Failed to delete all resource types, " + std::to_string(outcome.contentErrors.size()) +
                " remaining: " + join(outcome.contentErrors));
  }
  std::vector<std::string> resources, finalizers;
  for (const auto& [resource, n] : outcome.remaining.byResource) {
    if (n > 0) resources.push_back(resource + " has " + std::to_string(n) + " resource instances");
  }
  for (const auto& [finalizer, n] : outcome.remaining.byFinalizer) {
    if (n > 0) finalizers.push_back(finalizer + " in " + std::to_string(n) + " resource instances");
  }
  if (!resources.empty()) {
    failing("NamespaceContentRemaining", "SomeResourcesRemain",
            "Some resources are remaining: " + join(resources));
  }
  if (!finalizers.empty()) {
    // Upstream's reason is singular here.
    failing("NamespaceFinalizersRemaining", "SomeFinalizerRemain",
            "Some finalizers are remaining: " + join(finalizers));
  }
  return out;
}

}  // namespace

json::array namespaceConditions(const json::array& existing, const DeletionOutcome& outcome,
                                const std::string& now) {
  json::array conditions = existing;
  std::map<std::string, json::object> failed = failures(outcome);
  for (const ConditionText& text : kConditions) {
    json::object wanted;
    if (auto it = failed.find(text.type); it != failed.end()) {
      wanted = std::move(it->second);
    } else {
      wanted = json::object{{"type", text.type}, {"status", "False"}, {"reason", text.okReason},
                            {"message", text.okMessage}};
    }
    auto old = std::find_if(conditions.begin(), conditions.end(), [&](const json::value& c) {
      return c.is_object() && api::getString(c.get_object(), "type") == text.type;
    });
    if (old == conditions.end()) {
      wanted["lastTransitionTime"] = now;
      conditions.push_back(std::move(wanted));
      continue;
    }
    json::object& current = old->as_object();
    if (api::getString(current, "status") != api::getString(wanted, "status")) {
      current["lastTransitionTime"] = now;
    }
    for (const char* field : {"status", "reason", "message"}) current[field] = wanted[field];
  }
  return conditions;
}

}  // namespace kcpp::controllers
