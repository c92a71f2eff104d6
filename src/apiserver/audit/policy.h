#pragma once
// The audit policy (--audit-policy-file), as upstream's audit.k8s.io/v1 Policy:
// an ordered list of rules, each matching requests by user, group, verb,
// resource (group, resources incl. "pods/log", "*/status", "pods/*",
// resourceNames), namespace or non-resource URL, and giving the level to log
// them at. The first matching rule wins; a request no rule matches is not
// logged (level None). Without a policy file kcpp logs everything at Metadata.

#include <string>
#include <string_view>
#include <vector>

#include "apiserver/authn/authenticator.h"
#include "apiserver/request/request_info.h"
#include "util/error.h"

namespace kcpp::apiserver::audit {

enum class Level { None, Metadata, Request, RequestResponse };
enum class Stage { RequestReceived, ResponseStarted, ResponseComplete, Panic };

const char* levelName(Level level);
const char* stageName(Stage stage);

struct GroupResources {
  std::string group;
  std::vector<std::string> resources;      // empty: every resource of the group
  std::vector<std::string> resourceNames;  // empty: every name
};

struct PolicyRule {
  Level level = Level::None;
  std::vector<std::string> users;
  std::vector<std::string> userGroups;
  std::vector<std::string> verbs;
  std::vector<GroupResources> resources;
  std::vector<std::string> namespaces;
  std::vector<std::string> nonResourceURLs;
  std::vector<Stage> omitStages;  // the policy's own omitStages merged in
  bool omitManagedFields = false;
};

// What the policy says for one request.
struct RequestAuditConfig {
  Level level = Level::None;
  std::vector<Stage> omitStages;
  bool omitManagedFields = false;

  bool omits(Stage stage) const;
};

class Policy {
 public:
  // kcpp's default without --audit-policy-file: every request at Metadata.
  static Policy metadataForEverything();
  // Parses and validates a Policy document (YAML or JSON). `source` names it in errors.
  static Result<Policy> parse(std::string_view text, const std::string& source);
  static Result<Policy> load(const std::string& path);

  // `user` is null for a request that failed authentication: rules naming users
  // or groups do not match it.
  RequestAuditConfig evaluate(const UserInfo* user, const RequestInfo& request) const;

  const std::vector<PolicyRule>& rules() const { return rules_; }

 private:
  std::vector<PolicyRule> rules_;
  std::vector<Stage> omitStages_;
  bool omitManagedFields_ = false;
};

// One rule against one request (exposed for tests).
bool ruleMatches(const PolicyRule& rule, const UserInfo* user, const RequestInfo& request);

}  // namespace kcpp::apiserver::audit
