#include "apiserver/admission/priority/priority.h"

#include <optional>

#include "api/meta/object.h"
#include "apiserver/admission/listing/listing.h"

namespace kcpp::apiserver::admission {

namespace {

std::optional<std::int64_t> intMember(const json::object& obj, std::string_view key) {
  const json::value* v = obj.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  return std::nullopt;
}

bool isGlobalDefault(const json::object& pc) {
  const json::value* v = pc.if_contains("globalDefault");
  return v && v->is_bool() && v->get_bool();
}

// What a pod gets from its class: the value and the preemption policy (empty:
// the class sets none).
struct Resolved {
  std::string className;
  std::int64_t priority = 0;
  std::string preemptionPolicy;
};

Resolved fromClass(const json::object& pc) {
  return {std::string(api::metaName(pc)), intMember(pc, "value").value_or(0),
          std::string(api::getString(pc, "preemptionPolicy"))};
}

// Keeps the priority a pod was admitted with: updates cannot change it, and a
// client that leaves it out of its update does not mean to.
void keepAdmittedPriority(json::object& spec, const json::object* oldSpec) {
  if (!oldSpec) return;
  for (const char* key : {"priority", "preemptionPolicy"}) {
    const json::value* before = oldSpec->if_contains(key);
    const json::value* now = spec.if_contains(key);
    if (before && !before->is_null() && (!now || now->is_null())) spec[key] = *before;
  }
}

}  // namespace

boost::asio::awaitable<Result<void>> Priority::admit(Attributes& attrs) {
  if (!attrs.is("", "pods") || !attrs.subresource.empty() || !attrs.object) {
    co_return Result<void>{};
  }
  if (attrs.operation == Operation::Update) {
    const json::object* oldSpec = attrs.oldObject ? api::findObject(*attrs.oldObject, "spec") : nullptr;
    keepAdmittedPriority(api::ensureObject(*attrs.object, "spec"), oldSpec);
    co_return Result<void>{};
  }
  if (attrs.operation != Operation::Create) co_return Result<void>{};
  co_return co_await admitNewPod(attrs);
}

boost::asio::awaitable<Result<void>> Priority::admitNewPod(Attributes& attrs) {
  json::object& spec = api::ensureObject(*attrs.object, "spec");
  std::string className(api::getString(spec, "priorityClassName"));
  Resolved resolved;
  if (className.empty()) {
    auto def = co_await defaultClass();
    if (!def) {
      co_return makeError(Reason::InternalError,
                          "failed to get default priority class: " + def.error().message);
    }
    // Without any default class: priority 0, which may preempt lower ones.
    resolved = *def ? fromClass(**def) : Resolved{"", 0, "PreemptLowerPriority"};
    if (!resolved.className.empty()) spec["priorityClassName"] = resolved.className;
  } else {
    const std::string clusterScope;
    auto found = co_await priorityClasses_.get(clusterScope, className);
    if (!found && found.error().reason == Reason::NotFound) {
      co_return forbidden(attrs, "no PriorityClass with name " + className + " was found");
    }
    if (!found) {
      co_return makeError(Reason::InternalError, "failed to get PriorityClass with name " +
                                                     className + ": " + found.error().message);
    }
    auto parsed = api::parseJson(*found->json);
    if (!parsed || !parsed->is_object()) co_return makeError(Reason::InternalError, "bad PriorityClass");
    resolved = fromClass(parsed->get_object());
  }
  if (auto given = intMember(spec, "priority"); given && *given != resolved.priority) {
    co_return forbidden(attrs, "the integer value of priority (" + std::to_string(*given) +
                                   ") must not be provided in pod spec; priority admission "
                                   "controller computed " +
                                   std::to_string(resolved.priority) +
                                   " from the given PriorityClass name");
  }
  spec["priority"] = resolved.priority;
  if (!resolved.preemptionPolicy.empty()) {
    std::string_view given = api::getString(spec, "preemptionPolicy");
    if (!given.empty() && given != resolved.preemptionPolicy) {
      co_return forbidden(attrs, "the string value of PreemptionPolicy (" + std::string(given) +
                                     ") must not be provided in pod spec; priority admission "
                                     "controller computed " +
                                     resolved.preemptionPolicy + " from the given PriorityClass name");
    }
    spec["preemptionPolicy"] = resolved.preemptionPolicy;
  }
  co_return Result<void>{};
}

boost::asio::awaitable<Result<std::optional<json::object>>> Priority::defaultClass() {
  const std::string clusterScope;
  auto classes = co_await listObjects(priorityClasses_, clusterScope);
  if (!classes) co_return std::move(classes).error();
  std::optional<json::object> best;
  for (json::object& pc : *classes) {
    if (!isGlobalDefault(pc)) continue;
    if (!best || intMember(*best, "value").value_or(0) > intMember(pc, "value").value_or(0)) {
      best = std::move(pc);
    }
  }
  co_return best;
}

boost::asio::awaitable<Result<void>> Priority::validate(const Attributes& attrs) {
  bool applies = attrs.is("scheduling.k8s.io", "priorityclasses") && attrs.subresource.empty() &&
                 attrs.object &&
                 (attrs.operation == Operation::Create || attrs.operation == Operation::Update);
  if (!applies || !isGlobalDefault(*attrs.object)) co_return Result<void>{};
  auto def = co_await defaultClass();
  if (!def) {
    co_return makeError(Reason::InternalError,
                        "failed to get default priority class: " + def.error().message);
  }
  if (!*def) co_return Result<void>{};
  std::string existing(api::metaName(**def));
  if (attrs.operation == Operation::Create || existing != attrs.name) {
    co_return forbidden(attrs, "PriorityClass " + existing +
                                   " is already marked as default. Only one default can exist");
  }
  co_return Result<void>{};
}

}  // namespace kcpp::apiserver::admission
