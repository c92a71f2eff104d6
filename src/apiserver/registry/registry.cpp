#include "apiserver/registry/registry.h"

#include "api/meta/object.h"
#include "api/meta/status.h"

namespace kcpp::apiserver {

namespace {

std::string fieldValueString(const json::value* v) {
  if (!v) return "";
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_bool()) return v->get_bool() ? "true" : "false";
  if (v->is_int64()) return std::to_string(v->get_int64());
  if (v->is_uint64()) return std::to_string(v->get_uint64());
  if (v->is_null()) return "";
  return json::serialize(*v);
}

}  // namespace

storage::Decoder makeDecoder(const api::ResourceType& type, ConversionPtr conversion,
                             storage::TransformerPtr transformer) {
  auto fields = type.selectableFields;
  return [fields, conversion,
          transformer](const storage::KeyValue& kv) -> Result<storage::DecodedObject> {
    std::string plain;
    if (transformer) {
      auto transformed = transformer->fromStorage(kv.value, kv.key);
      if (!transformed) return std::move(transformed).error();
      plain = std::move(*transformed);
    }
    auto parsed = api::parseJson(transformer ? plain : kv.value);
    if (!parsed || !parsed->is_object()) {
      return makeError(Reason::InternalError, "stored object at " + kv.key + " is not JSON");
    }
    if (conversion) *parsed = conversion->fromStorage(std::move(parsed->get_object()));
    json::object& obj = parsed->get_object();
    api::ensureObject(obj, "metadata")["resourceVersion"] = std::to_string(kv.modRevision);
    auto attrs = std::make_shared<storage::Attributes>();
    attrs->labels = api::metaLabels(obj);
    attrs->fields["metadata.name"] = std::string(api::metaName(obj));
    attrs->fields["metadata.namespace"] = std::string(api::metaNamespace(obj));
    for (const auto& [name, path] : fields) {
      attrs->fields[name] = fieldValueString(api::findPath(obj, path));
    }
    storage::DecodedObject out;
    out.json = std::make_shared<const std::string>(json::serialize(obj));
    out.attributes = std::move(attrs);
    return out;
  };
}

std::string encodeForStorage(json::object obj) {
  if (json::object* meta = api::findObject(obj, "metadata")) meta->erase("resourceVersion");
  return json::serialize(obj);
}

Registry::Registry(api::ResourceType type, storage::Store& store, StrategyPtr strategy,
                   ConversionPtr conversion, storage::TransformerPtr transformer)
    : type_(std::move(type)),
      store_(store),
      strategy_(strategy ? std::move(strategy) : std::make_unique<Strategy>()),
      conversion_(std::move(conversion)),
      transformer_(std::move(transformer)),
      cache_(std::make_unique<storage::WatchCache>(
          store, type_.storagePrefix(), makeDecoder(type_, conversion_, transformer_))) {}

Result<std::string> Registry::encodeStored(const std::string& key, const json::object& obj) const {
  std::string encoded = encodeForStorage(conversion_ ? conversion_->toStorage(obj) : obj);
  if (!transformer_) return encoded;
  return transformer_->toStorage(encoded, key);
}

Registry::~Registry() = default;

boost::asio::awaitable<Result<void>> Registry::start() {
  if (auto started = co_await cache_->start(); !started) co_return started;
  co_return co_await strategy_->start(*this);
}

std::string Registry::key(const std::string& ns, const std::string& name) const {
  if (!type_.namespaced) return type_.storagePrefix() + name;
  return type_.storagePrefix() + ns + "/" + name;
}

std::string Registry::prefix(const std::string& ns) const {
  if (!type_.namespaced || ns.empty()) return type_.storagePrefix();
  return type_.storagePrefix() + ns + "/";
}

Error Registry::invalidObject(const json::object& obj, std::vector<Cause> causes) const {
  return api::invalid(type_.kind, type_.group, std::string(api::metaName(obj)), std::move(causes));
}

namespace {

std::string subresourceName(Subresource sub) {
  switch (sub) {
    case Subresource::Status: return "status";
    case Subresource::Scale: return "scale";
    case Subresource::Finalize: return "finalize";
    case Subresource::Binding: return "binding";
    case Subresource::Approval: return "approval";
    case Subresource::None: break;
  }
  return "";
}

}  // namespace

admission::Attributes Registry::admissionAttributes(admission::Operation op,
                                                    const std::string& ns, json::object* object,
                                                    const json::object* old, Subresource sub,
                                                    const admission::Requester& requester,
                                                    bool dryRun) const {
  admission::Attributes attrs;
  attrs.operation = op;
  attrs.type = &type_;
  attrs.subresource = subresourceName(sub);
  attrs.ns = type_.namespaced ? ns : "";
  attrs.name = std::string(api::metaName(object ? *object : *old));
  attrs.object = object;
  attrs.oldObject = old;
  attrs.user = requester.user;
  attrs.dryRun = dryRun;
  attrs.warnings = requester.warnings;
  attrs.auditAnnotations = requester.auditAnnotations;
  return attrs;
}

// The generic create rules of upstream's rest.BeforeCreate.
Result<void> Registry::prepareCreate(const std::string& ns, json::object& obj) const {
  std::string_view kind = api::getString(obj, "kind");
  std::string_view apiVersion = api::getString(obj, "apiVersion");
  if ((!kind.empty() && kind != type_.kind) ||
      (!apiVersion.empty() && apiVersion != type_.apiVersion())) {
    return api::badRequest("the API version in the data (" + std::string(apiVersion) +
                           ") and kind (" + std::string(kind) +
                           ") do not match the resource " + type_.apiVersion() + ", Kind=" +
                           type_.kind);
  }
  obj["kind"] = type_.kind;
  obj["apiVersion"] = type_.apiVersion();
  json::object& meta = api::ensureObject(obj, "metadata");
  if (type_.namespaced) {
    std::string_view objNs = api::getString(meta, "namespace");
    if (!objNs.empty() && objNs != ns) {
      return api::badRequest(
          "the namespace of the provided object does not match the namespace sent on the request");
    }
    meta["namespace"] = ns;
  } else {
    meta.erase("namespace");
  }
  if (!api::getString(meta, "resourceVersion").empty()) {
    return makeError(Reason::InternalError,
                     "resourceVersion should not be set on objects to be created");
  }
  std::string name(api::getString(meta, "name"));
  std::string generateName(api::getString(meta, "generateName"));
  if (name.empty() && !generateName.empty()) {
    // Upstream keeps generated names within 63 characters: prefix ≤ 58 + 5.
    name = generateName.substr(0, 58) + api::randomNameSuffix();
    meta["name"] = name;
  }
  if (name.empty()) {
    return invalidObject(obj, {api::fieldRequired("metadata.name",
                                                  "name or generateName is required")});
  }
  std::vector<Cause> causes;
  for (const std::string& problem : api::nameProblems(type_.nameRule, name)) {
    causes.push_back(api::fieldInvalid("metadata.name", name, problem));
  }
  if (!causes.empty()) return invalidObject(obj, std::move(causes));
  meta["uid"] = api::newUid();
  meta["creationTimestamp"] = api::nowTime();
  meta.erase("deletionTimestamp");
  meta.erase("deletionGracePeriodSeconds");
  meta.erase("selfLink");
  if (type_.tracksGeneration) {
    meta["generation"] = 1;
  } else {
    meta.erase("generation");
  }
  if (type_.hasStatus && type_.resource != "nodes") obj["status"] = json::object();
  return {};
}

boost::asio::awaitable<Result<json::object>> Registry::create(const std::string& ns,
                                                              json::object obj,
                                                              WriteOptions options) {
  if (auto ok = prepareCreate(ns, obj); !ok) co_return std::move(ok).error();
  if (rules_.applyDefaults) rules_.applyDefaults(obj);
  bool admitted = admits(options.requester);
  admission::Attributes attrs = admissionAttributes(admission::Operation::Create, ns, &obj, nullptr,
                                                    Subresource::None, options.requester,
                                                    options.dryRun);
  if (admitted) {
    if (auto ok = co_await admission_->admit(attrs); !ok) co_return std::move(ok).error();
  }
  strategy_->prepareForCreateBy(obj, options.requester.user);
  std::vector<Cause> causes = rules_.validate ? rules_.validate(obj, nullptr) : std::vector<Cause>{};
  for (auto& c : strategy_->validate(obj)) causes.push_back(std::move(c));
  if (!causes.empty()) co_return invalidObject(obj, std::move(causes));
  if (admitted) {
    if (auto ok = co_await admission_->validate(attrs); !ok) co_return std::move(ok).error();
  }
  std::string name(api::metaName(obj));
  std::string objectKey = key(ns, name);
  if (options.dryRun) {
    // A consistent read, as upstream's dry run asks the storage: the cache alone
    // may not have seen a create that just returned.
    auto existing = co_await cache_->get(objectKey);
    if (existing) co_return api::alreadyExists(type_.resource, type_.group, name);
    if (existing.error().reason != Reason::NotFound) co_return std::move(existing).error();
    co_return obj;
  }
  if (auto allocated = co_await strategy_->allocate(obj); !allocated) {
    co_return std::move(allocated).error();
  }
  auto stored = encodeStored(objectKey, obj);
  if (!stored) {
    strategy_->release(obj);
    co_return std::move(stored).error();
  }
  auto written = co_await store_.create(objectKey, std::move(*stored));
  if (!written) {
    strategy_->release(obj);
    if (written.error().reason == Reason::AlreadyExists) {
      co_return api::alreadyExists(type_.resource, type_.group, name);
    }
    co_return std::move(written).error();
  }
  api::ensureObject(obj, "metadata")["resourceVersion"] = std::to_string(written->modRevision);
  co_return obj;
}

boost::asio::awaitable<Result<storage::CachedObject>> Registry::get(const std::string& ns,
                                                                    const std::string& name) {
  auto found = co_await cache_->get(key(ns, name));
  if (!found && found.error().reason == Reason::NotFound) {
    co_return api::notFound(type_.resource, type_.group, name);
  }
  co_return found;
}

boost::asio::awaitable<Result<storage::ListResult>> Registry::list(const std::string& ns,
                                                                   storage::ListOptions options) {
  options.prefix = prefix(ns);
  co_return co_await cache_->list(std::move(options));
}

Result<storage::CacheWatcherPtr> Registry::watch(const std::string& ns,
                                                 storage::Predicate predicate,
                                                 storage::Revision afterRevision,
                                                 bool sendInitialState) {
  return cache_->watch(prefix(ns), std::move(predicate), afterRevision, sendInitialState);
}

}  // namespace kcpp::apiserver
