#include "apiserver/admission/podsecurity/pod_security.h"

#include <map>

#include "api/meta/object.h"
#include "api/meta/status.h"
#include "apiserver/admission/podsecurity/pod_templates.h"

namespace kcpp::apiserver::admission {

using podsecurity::Level;
using podsecurity::LevelVersion;
using podsecurity::NamespacePolicy;
using podsecurity::ParsedPolicy;
using podsecurity::PodParts;
using podsecurity::Violation;

namespace {

constexpr std::string_view kAnnotationPrefix = "pod-security.kubernetes.io/";

void annotate(const Attributes& attrs, std::string_view key, std::string value) {
  if (attrs.auditAnnotations) {
    attrs.auditAnnotations->emplace_back(std::string(kAnnotationPrefix) + std::string(key),
                                         std::move(value));
  }
}

const json::object* labelsOf(const json::object& obj) {
  const json::object* meta = api::findObject(obj, "metadata");
  return meta ? api::findObject(*meta, "labels") : nullptr;
}

Cause labelCause(const podsecurity::LabelError& e) {
  return api::fieldInvalid("metadata.labels[" + e.label + "]", e.value, e.message);
}

// Go's aggregate of the label errors: one as is, several in brackets.
std::string aggregate(const std::vector<podsecurity::LabelError>& errors) {
  std::string out;
  for (const auto& e : errors) {
    Cause c = labelCause(e);
    if (!out.empty()) out += ", ";
    out += c.field + ": " + c.message;
  }
  return errors.size() > 1 ? "[" + out + "]" : out;
}

bool sameErrors(const std::vector<podsecurity::LabelError>& a,
                const std::vector<podsecurity::LabelError>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].label != b[i].label || a[i].value != b[i].value || a[i].message != b[i].message) {
      return false;
    }
  }
  return true;
}

bool allPrivileged(const NamespacePolicy& p) {
  return p.enforce.level == Level::Privileged && p.audit.level == Level::Privileged &&
         p.warn.level == Level::Privileged;
}

// Pod subresources that never change what the policy sees.
bool isIgnoredPodSubresource(std::string_view sub) {
  for (std::string_view ignored :
       {"exec", "attach", "binding", "eviction", "log", "portforward", "proxy", "status"}) {
    if (sub == ignored) return true;
  }
  return false;
}

// Upstream's EvaluatePod: enforce (only for pods), then audit, then warn
// (skipped when the request is already refused); each level evaluated once.
Result<void> evaluate(const Attributes& attrs, const ParsedPolicy& parsed, const PodParts& pod,
                      bool enforce) {
  const NamespacePolicy& policy = parsed.policy;
  if (!parsed.errors.empty()) {
    annotate(attrs, "error", "Failed to parse policy: " + aggregate(parsed.errors));
  }
  std::map<Level, std::vector<Violation>> results;
  auto resultFor = [&](Level level) -> const std::vector<Violation>& {
    auto it = results.find(level);
    if (it == results.end()) {
      it = results.emplace(level, podsecurity::evaluatePod(level, *pod.metadata, *pod.spec)).first;
    }
    return it->second;
  };
  Result<void> outcome;
  if (enforce) {
    annotate(attrs, "enforce-policy", policy.enforce.str());
    const auto& violations = resultFor(policy.enforce.level);
    if (!violations.empty()) {
      outcome = forbidden(attrs, "violates PodSecurity \"" + policy.enforce.str() +
                                     "\": " + podsecurity::forbiddenDetail(violations));
    }
  }
  if (const auto& violations = resultFor(policy.audit.level); !violations.empty()) {
    annotate(attrs, "audit-violations", "would violate PodSecurity \"" + policy.audit.str() +
                                            "\": " + podsecurity::forbiddenDetail(violations));
  }
  if (outcome) {
    if (const auto& violations = resultFor(policy.warn.level); !violations.empty()) {
      attrs.warn("would violate PodSecurity \"" + policy.warn.str() +
                 "\": " + podsecurity::forbiddenDetail(violations));
    }
  }
  return outcome;
}

}  // namespace

boost::asio::awaitable<Result<void>> PodSecurity::validate(const Attributes& attrs) {
  if (attrs.operation != Operation::Create && attrs.operation != Operation::Update) {
    co_return Result<void>{};
  }
  if (!attrs.object) co_return Result<void>{};
  if (attrs.is("", "namespaces")) co_return co_await validateNamespace(attrs);
  if (attrs.is("", "pods")) co_return co_await validatePod(attrs);
  if (podsecurity::hasPodTemplate(attrs.group(), attrs.resource())) {
    co_return co_await validatePodController(attrs);
  }
  co_return Result<void>{};
}

boost::asio::awaitable<Result<ParsedPolicy>> PodSecurity::namespacePolicy(const std::string& ns) {
  const std::string clusterScope;
  auto found = co_await namespaces_.get(clusterScope, ns);
  if (!found) co_return std::move(found).error();
  auto parsed = api::parseJson(*found->json);
  if (!parsed || !parsed->is_object()) co_return makeError(Reason::InternalError, "bad namespace");
  co_return podsecurity::policyFromLabels(labelsOf(parsed->get_object()));
}

boost::asio::awaitable<Result<void>> PodSecurity::validateNamespace(const Attributes& attrs) {
  if (!attrs.subresource.empty()) co_return Result<void>{};
  ParsedPolicy next = podsecurity::policyFromLabels(labelsOf(*attrs.object));
  auto invalid = [&] {
    std::vector<Cause> causes;
    for (const auto& e : next.errors) causes.push_back(labelCause(e));
    return api::invalid("Namespace", "", attrs.name, std::move(causes));
  };
  if (attrs.operation == Operation::Create) {
    if (!next.errors.empty()) co_return invalid();
    co_return Result<void>{};
  }
  ParsedPolicy previous =
      podsecurity::policyFromLabels(attrs.oldObject ? labelsOf(*attrs.oldObject) : nullptr);
  if (!next.errors.empty() && (previous.errors.empty() || !sameErrors(next.errors, previous.errors))) {
    co_return invalid();
  }
  // Existing pods are checked only when the enforce level got stricter or
  // moved to another version.
  const LevelVersion& now = next.policy.enforce;
  const LevelVersion& before = previous.policy.enforce;
  if (now == before || now.level == Level::Privileged) co_return Result<void>{};
  if (now.version == before.version && now.level <= before.level) co_return Result<void>{};
  for (std::string& w : co_await checkExistingPods(attrs.name, now)) attrs.warn(std::move(w));
  co_return Result<void>{};
}

boost::asio::awaitable<Result<void>> PodSecurity::validatePod(const Attributes& attrs) {
  if (isIgnoredPodSubresource(attrs.subresource)) co_return Result<void>{};
  auto policy = co_await namespacePolicy(attrs.ns);
  if (!policy) {
    co_return makeError(Reason::InternalError, "failed to lookup namespace " + attrs.ns);
  }
  if (policy->errors.empty() && allPrivileged(policy->policy)) {
    annotate(attrs, "enforce-policy", LevelVersion{}.str());
    co_return Result<void>{};
  }
  if (attrs.operation == Operation::Update && attrs.oldObject &&
      !podsecurity::isSignificantPodUpdate(*attrs.object, *attrs.oldObject)) {
    co_return Result<void>{};
  }
  co_return evaluate(attrs, *policy, podsecurity::podParts(*attrs.object), true);
}

boost::asio::awaitable<Result<void>> PodSecurity::validatePodController(const Attributes& attrs) {
  if (!attrs.subresource.empty()) co_return Result<void>{};
  auto policy = co_await namespacePolicy(attrs.ns);
  if (!policy) {
    // Templates are only warned about: a lookup failure never refuses them.
    annotate(attrs, "error", "failed to lookup namespace " + attrs.ns + ": " + policy.error().message);
    co_return Result<void>{};
  }
  const NamespacePolicy& p = policy->policy;
  if (policy->errors.empty() && p.audit.level == Level::Privileged &&
      p.warn.level == Level::Privileged) {
    co_return Result<void>{};
  }
  auto parts = podsecurity::podTemplateOf(attrs.resource(), *attrs.object);
  if (!parts) co_return Result<void>{};
  co_return evaluate(attrs, *policy, *parts, false);
}

}  // namespace kcpp::apiserver::admission
