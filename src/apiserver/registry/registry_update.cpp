// Updates, patches and the status/scale/finalize subresources of Registry.
#include <boost/json.hpp>

#include "api/meta/object.h"
#include "api/meta/status.h"
#include "api/patch/json_patch.h"
#include "api/patch/merge_patch.h"
#include "api/patch/strategic_merge.h"
#include "api/schema/field_validation.h"
#include "apiserver/registry/pod_binding.h"
#include "apiserver/registry/registry.h"

namespace kcpp::apiserver {

namespace {

constexpr int kMaxUpdateAttempts = 16;
const char* kModified =
    "the object has been modified; please apply your changes to the latest version and try again";

json::value* member(json::object& obj, std::string_view key) {
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &it->value();
}

const json::value* member(const json::object& obj, std::string_view key) {
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &it->value();
}

bool sameValue(const json::value* a, const json::value* b) {
  if (!a || !b) return a == b || (a ? a->is_null() : b->is_null());
  return *a == *b;
}

// Copies metadata the system owns from the stored object into an update.
void keepSystemMetadata(json::object& meta, const json::object& oldMeta) {
  for (const char* field : {"uid", "creationTimestamp", "deletionTimestamp",
                            "deletionGracePeriodSeconds", "generation", "namespace"}) {
    if (const json::value* v = member(oldMeta, field)) {
      meta[field] = *v;
    } else {
      meta.erase(field);
    }
  }
  meta.erase("selfLink");
}

bool containsAll(const json::value* have, const json::value* want) {
  if (!want || !want->is_array()) return true;
  for (const auto& item : want->get_array()) {
    if (!have || !have->is_array()) return false;
    bool found = false;
    for (const auto& h : have->get_array()) found = found || h == item;
    if (!found) return false;
  }
  return true;
}

// The definition a strategic merge patch of `type` (or of its scale
// subresource) is applied with; empty when the schemas do not define it.
std::string patchRoot(const api::SchemaSet* schemas, const api::ResourceType& type, Subresource sub) {
  if (!schemas) return "";
  if (sub == Subresource::Scale) return schemas->rootName("autoscaling", "v1", "Scale");
  return schemas->rootName(type.group, type.version, type.kind);
}

Result<patch::Patched> applyPatchBody(PatchType type, const json::value& target, const std::string& body,
                                      const api::SchemaSet* schemas, const std::string& root) {
  switch (type) {
    case PatchType::Json: return patch::applyJsonPatch(target, body, patch::Decoding::Lenient);
    case PatchType::Merge: return patch::applyMergePatch(target, body, patch::Decoding::Lenient);
    default: return patch::applyStrategicMergePatch(target, body, *schemas, root, patch::Decoding::Lenient);
  }
}

std::string selectorString(const json::object& obj) {
  const json::value* sel = api::findPath(obj, "spec.selector");
  if (!sel || !sel->is_object()) return "";
  const json::object& s = sel->get_object();
  // apps objects carry a metav1.LabelSelector; ReplicationControllers a plain map.
  const json::object* labels = api::findObject(s, "matchLabels");
  if (!labels && !s.contains("matchExpressions")) labels = &s;
  std::string out;
  if (labels) {
    for (const auto& kv : *labels) {
      if (!out.empty()) out += ",";
      out += std::string(kv.key()) + "=" +
             (kv.value().is_string() ? std::string(kv.value().get_string()) : "");
    }
  }
  if (const json::value* exprs = member(s, "matchExpressions"); exprs && exprs->is_array()) {
    for (const auto& e : exprs->get_array()) {
      if (!e.is_object()) continue;
      const json::object& x = e.get_object();
      std::string key(api::getString(x, "key"));
      std::string op(api::getString(x, "operator"));
      std::string values;
      if (const json::value* vs = member(x, "values"); vs && vs->is_array()) {
        for (const auto& v : vs->get_array()) {
          if (!values.empty()) values += ",";
          if (v.is_string()) values += std::string(v.get_string());
        }
      }
      if (!out.empty()) out += ",";
      if (op == "In") out += key + " in (" + values + ")";
      else if (op == "NotIn") out += key + " notin (" + values + ")";
      else if (op == "Exists") out += key;
      else if (op == "DoesNotExist") out += "!" + key;
    }
  }
  return out;
}

json::object scaleOf(const api::ResourceType& type, const json::object& obj) {
  json::object scale;
  scale["kind"] = "Scale";
  scale["apiVersion"] = "autoscaling/v1";
  json::object meta;
  const json::object* objMeta = api::findObject(obj, "metadata");
  for (const char* f : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"}) {
    if (objMeta) {
      if (const json::value* v = member(*objMeta, f)) meta[f] = *v;
    }
  }
  scale["metadata"] = std::move(meta);
  const json::value* replicas = api::findPath(obj, "spec.replicas");
  json::object spec;
  spec["replicas"] = replicas && replicas->is_number() ? *replicas : json::value(1);
  scale["spec"] = std::move(spec);
  json::object status;
  const json::value* observed = api::findPath(obj, "status.replicas");
  status["replicas"] = observed && observed->is_number() ? *observed : json::value(0);
  std::string selector = selectorString(obj);
  if (!selector.empty()) status["selector"] = selector;
  scale["status"] = std::move(status);
  (void)type;
  return scale;
}

}  // namespace

// Upstream decodes a patch's result into the Go type: a value of the wrong JSON
// type there is 422 `"" is invalid: patch: Invalid value: "<result>": json:
// cannot unmarshal ...`, not an object stored with it. Unknown fields are
// dropped, as that decoding drops them.
std::optional<Error> Registry::checkPatchedTypes(json::object& patched, const std::string& root) const {
  if (!patchSchemas_ || root.empty()) return std::nullopt;
  std::string text = json::serialize(patched);
  api::FieldCheck found = api::checkFields(*patchSchemas_, root, patched, api::FieldCheckOptions{true, false});
  if (!found.typeError) return std::nullopt;
  return api::invalid("", "", "", {api::fieldInvalid("patch", text, *found.typeError)});
}

Result<json::object> Registry::buildUpdate(const json::object& current, json::object body,
                                           Subresource sub) const {
  std::string name(api::metaName(current));
  json::object next;
  if (sub == Subresource::Status) {
    next = current;
    if (json::value* status = member(body, "status")) next["status"] = *status;
    else next.erase("status");
    // Upstream's deploymentStatusStrategy resets only spec and labels, so a status
    // write also carries annotations: the deployment controller records the
    // deployment.kubernetes.io/revision annotation that way.
    if (type_.group == "apps" && type_.resource == "deployments" && api::findObject(body, "metadata")) {
      const json::value* annotations = api::findPath(body, "metadata.annotations");
      json::object& meta = api::ensureObject(next, "metadata");
      if (annotations && annotations->is_object()) meta["annotations"] = *annotations;
      else meta.erase("annotations");
    }
  } else if (sub == Subresource::Approval) {
    // A CSR's approval writes only its conditions (Approved / Denied), as
    // upstream's csrApprovalStrategy.
    next = current;
    json::object& status = api::ensureObject(next, "status");
    if (const json::value* c = api::findPath(body, "status.conditions")) status["conditions"] = *c;
    else status.erase("conditions");
  } else if (sub == Subresource::Binding) {
    return bindPod(current, body);
  } else if (sub == Subresource::Finalize) {
    next = current;
    json::object& spec = api::ensureObject(next, "spec");
    if (const json::value* f = api::findPath(body, "spec.finalizers")) spec["finalizers"] = *f;
    else spec.erase("finalizers");
  } else if (sub == Subresource::Scale) {
    next = current;
    const json::value* replicas = api::findPath(body, "spec.replicas");
    if (!replicas || !replicas->is_number()) {
      return api::invalid("Scale", "autoscaling", name,
                          {api::fieldRequired("spec.replicas", "")});
    }
    api::ensureObject(next, "spec")["replicas"] = *replicas;
  } else {
    std::string_view bodyName = api::metaName(body);
    if (!bodyName.empty() && bodyName != name) {
      return api::badRequest("the name of the object (" + std::string(bodyName) +
                             ") does not match the name on the URL (" + name + ")");
    }
    std::string_view kind = api::getString(body, "kind");
    if (!kind.empty() && kind != type_.kind) {
      return api::badRequest("the kind of the object (" + std::string(kind) +
                             ") does not match the resource " + type_.kind);
    }
    next = std::move(body);
    next["kind"] = type_.kind;
    next["apiVersion"] = type_.apiVersion();
    json::object& meta = api::ensureObject(next, "metadata");
    meta["name"] = name;
    keepSystemMetadata(meta, *api::findObject(current, "metadata"));
    if (type_.hasStatus) {
      if (const json::value* status = member(current, "status")) next["status"] = *status;
      else next.erase("status");
    }
    if (rules_.applyDefaults) rules_.applyDefaults(next);
  }
  return next;
}

Result<void> Registry::checkUpdate(json::object& next, const json::object& current,
                                   Subresource sub) const {
  // A binding writes only what bindPod checked, as upstream's BindingREST
  // updates the stored pod directly, past the pod's update validation.
  if (sub == Subresource::Binding) return {};
  if (sub == Subresource::None) strategy_->prepareForUpdate(next, current);
  json::object& meta = api::ensureObject(next, "metadata");
  const json::object& oldMeta = *api::findObject(current, "metadata");
  if (type_.tracksGeneration && !sameValue(member(next, "spec"), member(current, "spec"))) {
    const json::value* gen = member(oldMeta, "generation");
    meta["generation"] = (gen && gen->is_int64() ? gen->get_int64() : 0) + 1;
  }
  if (member(oldMeta, "deletionTimestamp") &&
      !containsAll(member(oldMeta, "finalizers"), member(meta, "finalizers"))) {
    return invalidObject(next, {api::fieldForbidden(
                                   "metadata.finalizers",
                                   "no new finalizers can be added if the object is being deleted")});
  }
  std::vector<Cause> causes =
      rules_.validate ? rules_.validate(next, &current) : std::vector<Cause>{};
  for (auto& c : strategy_->validate(next)) causes.push_back(std::move(c));
  for (auto& c : strategy_->validateUpdate(next, current)) causes.push_back(std::move(c));
  if (!causes.empty()) return invalidObject(next, std::move(causes));
  return {};
}

boost::asio::awaitable<Result<json::object>> Registry::guaranteedUpdate(const std::string& ns,
                                                                        const std::string& name,
                                                                        Subresource sub,
                                                                        Transform transform,
                                                                        WriteOptions options) {
  std::string objectKey = key(ns, name);
  for (int attempt = 0; attempt < kMaxUpdateAttempts; ++attempt) {
    auto current = co_await cache_->get(objectKey);
    if (!current) {
      if (current.error().reason == Reason::NotFound) {
        co_return api::notFound(type_.resource, type_.group, name);
      }
      co_return std::move(current).error();
    }
    auto parsed = api::parseJson(*current->json);
    if (!parsed || !parsed->is_object()) co_return makeError(Reason::InternalError, "bad object");
    const json::object& currentObj = parsed->get_object();
    auto input = transform(currentObj);
    if (!input) co_return std::move(input).error();
    // A resourceVersion the caller sent is a precondition: it must be current.
    const std::string& wantedRv = input->precondition;
    std::string currentRv = std::to_string(current->modRevision);
    if (!wantedRv.empty() && wantedRv != currentRv) {
      co_return api::conflict(type_.resource, type_.group, name, kModified);
    }
    json::object next = std::move(input->object);
    // Upstream admits a binding as the creation of a Binding, not as a pod update.
    bool admitted = admits(options.requester) && sub != Subresource::Binding;
    admission::Attributes attrs = admissionAttributes(admission::Operation::Update, ns, &next,
                                                      &currentObj, sub, options.requester,
                                                      options.dryRun);
    if (admitted) {
      if (auto ok = co_await admission_->admit(attrs); !ok) co_return std::move(ok).error();
    }
    if (auto ok = checkUpdate(next, currentObj, sub); !ok) co_return std::move(ok).error();
    if (admitted) {
      if (auto ok = co_await admission_->validate(attrs); !ok) co_return std::move(ok).error();
    }
    api::ensureObject(next, "metadata")["resourceVersion"] = currentRv;
    if (next == currentObj || options.dryRun) co_return std::move(next);
    const json::object* meta = api::findObject(next, "metadata");
    const json::value* finalizers = meta ? member(*meta, "finalizers") : nullptr;
    bool finalized = !finalizers || !finalizers->is_array() || finalizers->get_array().empty();
    if (type_.resource == "namespaces" && type_.group.empty()) {
      // A namespace also waits for spec.finalizers (upstream's
      // ShouldDeleteNamespaceDuringUpdate): /finalize clearing the last one
      // removes a Terminating namespace.
      const json::value* specFinalizers = api::findPath(next, "spec.finalizers");
      finalized = finalized && (!specFinalizers || !specFinalizers->is_array() ||
                                specFinalizers->get_array().empty());
    }
    if (meta && member(*meta, "deletionTimestamp") && finalized) {
      // The last finalizer is gone from an object being deleted: delete it now.
      auto deleted = co_await deleteNow(objectKey, *current, next);
      if (!deleted && deleted.error().reason == Reason::Conflict) continue;
      if (!deleted) co_return std::move(deleted).error();
      co_return std::move(deleted->object);
    }
    if (auto allocated = co_await strategy_->allocateUpdate(next, currentObj); !allocated) {
      co_return std::move(allocated).error();
    }
    auto stored = encodeStored(objectKey, next);
    if (!stored) {
      strategy_->finishUpdate(next, currentObj, false);
      co_return std::move(stored).error();
    }
    auto written = co_await store_.update(objectKey, std::move(*stored), current->modRevision);
    strategy_->finishUpdate(next, currentObj, written.ok());
    if (written) {
      api::ensureObject(next, "metadata")["resourceVersion"] = std::to_string(written->modRevision);
      co_return std::move(next);
    }
    if (written.error().reason == Reason::NotFound) {
      co_return api::notFound(type_.resource, type_.group, name);
    }
    if (written.error().reason != Reason::Conflict) co_return std::move(written).error();
    if (!wantedRv.empty()) {
      co_return api::conflict(type_.resource, type_.group, name, kModified);
    }
    // Someone else wrote in between and the caller set no precondition: retry.
  }
  co_return api::conflict(type_.resource, type_.group, name, kModified);
}

boost::asio::awaitable<Result<json::object>> Registry::update(const std::string& ns,
                                                              const std::string& name,
                                                              json::object body, Subresource sub,
                                                              WriteOptions options) {
  if (sub == Subresource::None && strategy_->allowCreateOnUpdate()) {
    // A consistent read: an object created just before must be found.
    auto existing = co_await cache_->get(key(ns, name));
    if (!existing && existing.error().reason == Reason::NotFound) {
      api::ensureObject(body, "metadata").erase("resourceVersion");
      co_return co_await create(ns, std::move(body), options);
    }
  }
  std::string wantedRv(api::metaResourceVersion(body));
  auto transform = [&, body = std::move(body)](const json::object& current) mutable
      -> Result<UpdateInput> {
    auto next = buildUpdate(current, body, sub);
    if (!next) return std::move(next).error();
    return UpdateInput{std::move(*next), wantedRv};
  };
  auto updated = co_await guaranteedUpdate(ns, name, sub, std::move(transform), options);
  if (updated && sub == Subresource::Scale) co_return scaleOf(type_, *updated);
  co_return updated;
}

boost::asio::awaitable<Result<json::object>> Registry::patch(const std::string& ns,
                                                             const std::string& name,
                                                             PatchType patchType,
                                                             std::string patchBody,
                                                             Subresource sub,
                                                             WriteOptions options) {
  std::string root = patchRoot(patchSchemas_, type_, sub);
  bool strategic = patchType == PatchType::StrategicMerge && !root.empty();
  if (patchType != PatchType::Json && patchType != PatchType::Merge && !strategic) {
    // Apply patches (server-side apply) are not implemented yet.
    static constexpr PatchType kAccepted[] = {PatchType::Json, PatchType::Merge};
    co_return patch::unsupportedPatchType(kAccepted);
  }
  auto transform = [&](const json::object& current) -> Result<UpdateInput> {
    json::value target = sub == Subresource::Scale ? json::value(scaleOf(type_, current))
                                                   : json::value(current);
    Result<patch::Patched> patched = applyPatchBody(patchType, target, patchBody, patchSchemas_, root);
    if (!patched) return std::move(patched).error();
    if (!patched->object.is_object()) return api::badRequest("the patch did not produce an object");
    json::object body = std::move(patched->object.get_object());
    if (auto wrong = checkPatchedTypes(body, root)) return *wrong;
    // A resourceVersion the patch changed is a precondition (it will conflict);
    // one it left alone is just the version read, and a conflict is retried.
    std::string rv(api::metaResourceVersion(body));
    if (rv == api::metaResourceVersion(current)) rv.clear();
    auto next = buildUpdate(current, std::move(body), sub);
    if (!next) return std::move(next).error();
    return UpdateInput{std::move(*next), std::move(rv)};
  };
  auto updated = co_await guaranteedUpdate(ns, name, sub, std::move(transform), options);
  if (updated && sub == Subresource::Scale) co_return scaleOf(type_, *updated);
  co_return updated;
}

boost::asio::awaitable<Result<json::object>> Registry::getScale(const std::string& ns,
                                                                const std::string& name) {
  auto found = co_await get(ns, name);
  if (!found) co_return std::move(found).error();
  auto parsed = api::parseJson(*found->json);
  if (!parsed || !parsed->is_object()) co_return makeError(Reason::InternalError, "bad object");
  co_return scaleOf(type_, parsed->get_object());
}

}  // namespace kcpp::apiserver
