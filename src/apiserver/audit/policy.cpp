#include "apiserver/audit/policy.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace kcpp::apiserver::audit {

namespace {

constexpr const char* kLevels[] = {"None", "Metadata", "Request", "RequestResponse"};
constexpr const char* kStages[] = {"RequestReceived", "ResponseStarted", "ResponseComplete",
                                   "Panic"};

bool contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// Collects field errors with upstream's paths and wording; joined at the end.
struct Problems {
  std::vector<std::string> list;
  void invalid(const std::string& path, const std::string& value, const std::string& detail) {
    list.push_back(path + ": Invalid value: \"" + value + "\": " + detail);
  }
};

Result<std::vector<std::string>> stringList(const YAML::Node& node, const std::string& path) {
  std::vector<std::string> out;
  if (!node || node.IsNull()) return out;
  if (!node.IsSequence()) return makeError(Reason::BadRequest, path + ": expected a list of strings");
  for (const auto& item : node) {
    if (!item.IsScalar()) return makeError(Reason::BadRequest, path + ": expected a list of strings");
    out.push_back(item.as<std::string>());
  }
  return out;
}

std::vector<Stage> parseStages(const std::vector<std::string>& names, const std::string& path,
                               Problems& problems) {
  std::vector<Stage> out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto it = std::find_if(std::begin(kStages), std::end(kStages),
                           [&](const char* s) { return names[i] == s; });
    if (it == std::end(kStages)) {
      problems.invalid(path + "[" + std::to_string(i) + "]", names[i],
                       "allowed stages are RequestReceived,ResponseStarted,ResponseComplete,Panic");
      continue;
    }
    out.push_back(static_cast<Stage>(it - std::begin(kStages)));
  }
  return out;
}

void parseLevel(const YAML::Node& node, const std::string& path, PolicyRule& rule,
                Problems& problems) {
  std::string level = node && node.IsScalar() ? node.as<std::string>() : "";
  if (level.empty()) {
    problems.list.push_back(path + ": Required value");
    return;
  }
  auto it = std::find_if(std::begin(kLevels), std::end(kLevels),
                         [&](const char* l) { return level == l; });
  if (it == std::end(kLevels)) {
    problems.list.push_back(path + ": Unsupported value: \"" + level +
                            "\": supported values: \"None\", \"Metadata\", \"Request\", "
                            "\"RequestResponse\"");
    return;
  }
  rule.level = static_cast<Level>(it - std::begin(kLevels));
}

void checkNonResourceURLs(const std::vector<std::string>& urls, const std::string& path,
                          Problems& problems) {
  for (std::size_t i = 0; i < urls.size(); ++i) {
    const std::string& url = urls[i];
    std::string at = path + "[" + std::to_string(i) + "]";
    if (url == "*") continue;
    if (!url.starts_with("/")) {
      problems.invalid(at, url, "non-resource URL rules must begin with a '/' character");
    }
    if (!url.empty() && url.substr(0, url.size() - 1).find('*') != std::string::npos) {
      problems.invalid(at, url, "non-resource URL wildcards '*' must be the final character of the rule");
    }
  }
}

Result<std::vector<GroupResources>> parseResources(const YAML::Node& node, const std::string& path,
                                                   Problems& problems) {
  std::vector<GroupResources> out;
  if (!node || node.IsNull()) return out;
  if (!node.IsSequence()) return makeError(Reason::BadRequest, path + ": expected a list");
  for (const auto& item : node) {
    if (!item.IsMap()) return makeError(Reason::BadRequest, path + ": expected a list of objects");
    GroupResources gr;
    if (item["group"] && item["group"].IsScalar()) gr.group = item["group"].as<std::string>();
    auto resources = stringList(item["resources"], path + ".resources");
    if (!resources) return std::move(resources).error();
    gr.resources = std::move(*resources);
    auto names = stringList(item["resourceNames"], path + ".resourceNames");
    if (!names) return std::move(names).error();
    gr.resourceNames = std::move(*names);
    if (!gr.resourceNames.empty() && gr.resources.empty()) {
      problems.list.push_back(path + ".resourceNames: Invalid value: using resourceNames requires "
                                     "at least one resource");
    }
    out.push_back(std::move(gr));
  }
  return out;
}

Result<PolicyRule> parseRule(const YAML::Node& node, const std::string& path, Problems& problems) {
  PolicyRule rule;
  if (!node.IsMap()) return makeError(Reason::BadRequest, path + ": expected an object");
  parseLevel(node["level"], path + ".level", rule, problems);
  for (auto [field, target] : {std::pair{"users", &rule.users},
                               std::pair{"userGroups", &rule.userGroups},
                               std::pair{"verbs", &rule.verbs},
                               std::pair{"namespaces", &rule.namespaces},
                               std::pair{"nonResourceURLs", &rule.nonResourceURLs}}) {
    auto list = stringList(node[field], path + "." + field);
    if (!list) return std::move(list).error();
    *target = std::move(*list);
  }
  auto resources = parseResources(node["resources"], path + ".resources", problems);
  if (!resources) return std::move(resources).error();
  rule.resources = std::move(*resources);
  auto stages = stringList(node["omitStages"], path + ".omitStages");
  if (!stages) return std::move(stages).error();
  rule.omitStages = parseStages(*stages, path + ".omitStages", problems);
  checkNonResourceURLs(rule.nonResourceURLs, path + ".nonResourceURLs", problems);
  if (!rule.nonResourceURLs.empty() && (!rule.resources.empty() || !rule.namespaces.empty())) {
    problems.list.push_back(path + ".nonResourceURLs: Invalid value: rules cannot apply to both "
                                   "regular resources and non-resource URLs");
  }
  return rule;
}

void mergeStages(std::vector<Stage>& into, const std::vector<Stage>& more) {
  for (Stage s : more) {
    if (std::find(into.begin(), into.end(), s) == into.end()) into.push_back(s);
  }
}

bool pathMatches(const std::string& path, const std::string& spec) {
  if (spec == "*" || spec == path) return true;
  return spec.ends_with("*") && path.starts_with(std::string_view(spec).substr(0, spec.size() - 1));
}

bool resourceMatches(const PolicyRule& rule, const RequestInfo& request) {
  if (!request.isResourceRequest) return false;
  if (!rule.namespaces.empty() && !contains(rule.namespaces, request.namespace_)) return false;
  if (rule.resources.empty()) return true;
  const std::string& resource = request.resource;
  const std::string& sub = request.subresource;
  std::string combined = sub.empty() ? resource : resource + "/" + sub;
  for (const auto& gr : rule.resources) {
    if (gr.group != request.apiGroup && gr.group != "*") continue;
    if (gr.resources.empty()) return true;
    if (!gr.resourceNames.empty() && !contains(gr.resourceNames, request.name)) continue;
    for (const auto& res : gr.resources) {
      if (res == combined || res == "*") return true;
      if (!sub.empty() && res.starts_with("*/") && sub == std::string_view(res).substr(2)) return true;
      if (res.ends_with("/*") && resource == std::string_view(res).substr(0, res.size() - 2)) {
        return true;
      }
    }
  }
  return false;
}

bool nonResourceMatches(const PolicyRule& rule, const RequestInfo& request) {
  if (request.isResourceRequest) return false;
  return std::any_of(rule.nonResourceURLs.begin(), rule.nonResourceURLs.end(),
                     [&](const std::string& spec) { return pathMatches(request.path, spec); });
}

}  // namespace

const char* levelName(Level level) { return kLevels[static_cast<int>(level)]; }
const char* stageName(Stage stage) { return kStages[static_cast<int>(stage)]; }

bool RequestAuditConfig::omits(Stage stage) const {
  return std::find(omitStages.begin(), omitStages.end(), stage) != omitStages.end();
}

bool ruleMatches(const PolicyRule& rule, const UserInfo* user, const RequestInfo& request) {
  if (!rule.users.empty() && (!user || !contains(rule.users, user->name))) return false;
  if (!rule.userGroups.empty()) {
    if (!user) return false;
    bool inGroup = std::any_of(user->groups.begin(), user->groups.end(),
                               [&](const std::string& g) { return contains(rule.userGroups, g); });
    if (!inGroup) return false;
  }
  if (!rule.verbs.empty() && !contains(rule.verbs, request.verb)) return false;
  if (!rule.namespaces.empty() || !rule.resources.empty()) return resourceMatches(rule, request);
  if (!rule.nonResourceURLs.empty()) return nonResourceMatches(rule, request);
  return true;
}

Policy Policy::metadataForEverything() {
  Policy p;
  PolicyRule all;
  all.level = Level::Metadata;
  p.rules_.push_back(std::move(all));
  return p;
}

Result<Policy> Policy::parse(std::string_view text, const std::string& source) {
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return makeError(Reason::BadRequest, "failed decoding: " + std::string(e.what()) +
                                             ": from file " + source);
  }
  if (!doc.IsMap()) return makeError(Reason::BadRequest, "failed decoding: not an object: from file " + source);
  std::string apiVersion = doc["apiVersion"] ? doc["apiVersion"].as<std::string>("") : "";
  std::string kind = doc["kind"] ? doc["kind"].as<std::string>("") : "";
  if (apiVersion != "audit.k8s.io/v1" || kind != "Policy") {
    return makeError(Reason::BadRequest, "unknown group version field " + apiVersion + ", Kind=" +
                                             kind + " in policy: from file " + source);
  }
  Policy policy;
  Problems problems;
  auto omit = stringList(doc["omitStages"], "omitStages");
  if (!omit) return std::move(omit).error();
  policy.omitStages_ = parseStages(*omit, "omitStages", problems);
  if (doc["omitManagedFields"]) policy.omitManagedFields_ = doc["omitManagedFields"].as<bool>(false);
  const YAML::Node rules = doc["rules"];
  if (rules && rules.IsSequence()) {
    for (std::size_t i = 0; i < rules.size(); ++i) {
      auto rule = parseRule(rules[i], "rules[" + std::to_string(i) + "]", problems);
      if (!rule) return std::move(rule).error();
      rule->omitManagedFields = rules[i]["omitManagedFields"]
                                    ? rules[i]["omitManagedFields"].as<bool>(false)
                                    : policy.omitManagedFields_;
      mergeStages(rule->omitStages, policy.omitStages_);
      policy.rules_.push_back(std::move(*rule));
    }
  }
  if (!problems.list.empty()) {
    std::string message = problems.list.size() == 1 ? problems.list[0] : "[";
    for (std::size_t i = 0; problems.list.size() > 1 && i < problems.list.size(); ++i) {
      message += (i ? ", " : "") + problems.list[i];
    }
    if (problems.list.size() > 1) message += "]";
    return makeError(Reason::BadRequest, message);
  }
  if (policy.rules_.empty()) {
    return makeError(Reason::BadRequest, "loaded illegal policy with 0 rules: from file " + source);
  }
  return policy;
}

Result<Policy> Policy::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return makeError(Reason::BadRequest, "failed to read file path \"" + path + "\"");
  std::stringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

RequestAuditConfig Policy::evaluate(const UserInfo* user, const RequestInfo& request) const {
  for (const auto& rule : rules_) {
    if (ruleMatches(rule, user, request)) {
      return RequestAuditConfig{rule.level, rule.omitStages, rule.omitManagedFields};
    }
  }
  return RequestAuditConfig{Level::None, omitStages_, omitManagedFields_};
}

}  // namespace kcpp::apiserver::audit
