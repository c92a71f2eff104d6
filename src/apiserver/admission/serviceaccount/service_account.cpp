#include "apiserver/admission/serviceaccount/service_account.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <random>
#include <set>

#include "api/meta/object.h"

namespace kcpp::apiserver::admission {

namespace {

constexpr std::string_view kDefaultAccount = "default";
constexpr std::string_view kEnforceMountableSecrets = "kubernetes.io/enforce-mountable-secrets";
constexpr std::string_view kMirrorPodAnnotation = "kubernetes.io/config.mirror";
constexpr std::string_view kTokenVolumePrefix = "kube-api-access-";
constexpr std::string_view kTokenMountPath = "/var/run/secrets/kubernetes.io/serviceaccount";
// serviceaccount.WarnOnlyBoundTokenExpirationSeconds: an hour and 7 seconds,
// which tells the token authenticator this token may be used past its hour.
constexpr std::int64_t kBoundTokenExpirationSeconds = 3607;
constexpr std::int64_t kProjectedDefaultMode = 0644;  // 420

// shouldIgnore: only pods themselves (kcpp has no ephemeralcontainers subresource).
bool concernsPods(const Attributes& attrs) {
  return attrs.is("", "pods") && attrs.subresource.empty() && attrs.object != nullptr &&
         attrs.operation == Operation::Create;
}

json::object& specOf(json::object& pod) { return api::ensureObject(pod, "spec"); }

const json::object& specOf(const json::object& pod) {
  static const json::object kEmpty;
  const json::object* spec = api::findObject(pod, "spec");
  return spec ? *spec : kEmpty;
}

const json::array& arrayAt(const json::object& obj, std::string_view key) {
  static const json::array kEmpty;
  auto it = obj.find(key);
  return it != obj.end() && it->value().is_array() ? it->value().get_array() : kEmpty;
}

const json::object& objectAt(const json::value& v) {
  static const json::object kEmpty;
  return v.is_object() ? v.get_object() : kEmpty;
}

bool isMirrorPod(const json::object& pod) {
  const json::value* annotations = api::findPath(pod, "metadata.annotations");
  return annotations && annotations->is_object() &&
         annotations->get_object().contains(kMirrorPodAnnotation);
}

// strconv.ParseBool's true values.
bool parsesTrue(std::string_view s) {
  return s == "1" || s == "t" || s == "T" || s == "true" || s == "TRUE" || s == "True";
}

bool enforcesMountableSecrets(const json::object& account) {
  const json::value* annotations = api::findPath(account, "metadata.annotations");
  if (!annotations || !annotations->is_object()) return false;
  auto it = annotations->get_object().find(kEnforceMountableSecrets);
  return it != annotations->get_object().end() && it->value().is_string() &&
         parsesTrue(it->value().get_string());
}

// shouldAutomount: the pod's choice, else the account's, else yes.
bool automounts(const json::object& account, const json::object& pod) {
  auto choice = [](const json::object& obj) -> const json::value* {
    auto it = obj.find("automountServiceAccountToken");
    return it != obj.end() && it->value().is_bool() ? &it->value() : nullptr;
  };
  if (const json::value* podChoice = choice(specOf(pod))) return podChoice->get_bool();
  if (const json::value* accountChoice = choice(account)) return accountChoice->get_bool();
  return true;
}

// TokenVolumeSource, in upstream's field order.
json::object tokenVolume(const std::string& name) {
  json::object token{{"expirationSeconds", kBoundTokenExpirationSeconds}, {"path", "token"}};
  json::object rootCa{{"name", "kube-root-ca.crt"},
                      {"items", json::array{json::object{{"key", "ca.crt"}, {"path", "ca.crt"}}}}};
  json::object fieldRef{{"apiVersion", "v1"}, {"fieldPath", "metadata.namespace"}};
  json::object namespaceFile{{"path", "namespace"}, {"fieldRef", std::move(fieldRef)}};
  json::object downward{{"items", json::array{std::move(namespaceFile)}}};
  json::array sources{json::object{{"serviceAccountToken", std::move(token)}},
                      json::object{{"configMap", std::move(rootCa)}},
                      json::object{{"downwardAPI", std::move(downward)}}};
  json::object projected{{"sources", std::move(sources)}, {"defaultMode", kProjectedDefaultMode}};
  return json::object{{"name", name}, {"projected", std::move(projected)}};
}

bool mountsTokenPath(const json::object& container) {
  for (const json::value& mount : arrayAt(container, "volumeMounts")) {
    if (api::getString(objectAt(mount), "mountPath") == kTokenMountPath) return true;
  }
  return false;
}

// Mounts the volume in each container that has nothing at the token path;
// true if any did.
bool mountInEach(json::object& spec, std::string_view key, const std::string& volume) {
  auto it = spec.find(key);
  if (it == spec.end() || !it->value().is_array()) return false;
  bool mounted = false;
  for (json::value& c : it->value().get_array()) {
    if (!c.is_object() || mountsTokenPath(c.get_object())) continue;
    json::value& mounts = c.get_object()["volumeMounts"];
    if (!mounts.is_array()) mounts = json::array();
    mounts.get_array().push_back(
        json::object{{"name", volume}, {"readOnly", true}, {"mountPath", kTokenMountPath}});
    mounted = true;
  }
  return mounted;
}

// mountServiceAccountToken: reuses a kube-api-access-* volume the pod has.
void mountToken(json::object& pod, const std::string& suffix) {
  json::object& spec = specOf(pod);
  std::string volume;
  for (const json::value& v : arrayAt(spec, "volumes")) {
    std::string_view name = api::getString(objectAt(v), "name");
    if (name.starts_with(kTokenVolumePrefix)) {
      volume = std::string(name);
      break;
    }
  }
  bool hasVolume = !volume.empty();
  if (!hasVolume) volume = std::string(kTokenVolumePrefix) + suffix;
  bool needed = mountInEach(spec, "initContainers", volume);
  needed = mountInEach(spec, "containers", volume) || needed;
  if (hasVolume || !needed) return;
  json::value& volumes = spec["volumes"];
  if (!volumes.is_array()) volumes = json::array();
  volumes.get_array().push_back(tokenVolume(volume));
}

void copyPullSecrets(const json::object& account, json::object& pod) {
  json::object& spec = specOf(pod);
  if (!arrayAt(spec, "imagePullSecrets").empty()) return;
  json::array names;
  for (const json::value& ref : arrayAt(account, "imagePullSecrets")) {
    names.push_back(json::object{{"name", api::getString(objectAt(ref), "name")}});
  }
  if (!names.empty()) spec["imagePullSecrets"] = std::move(names);
}

// The secret names a container's env and envFrom use, for the messages.
std::string containerSecretProblem(const json::object& container, std::string_view kind,
                                   const std::set<std::string>& mountable,
                                   const std::string& account) {
  std::string name(api::getString(container, "name"));
  std::string tail = "\" is not allowed because service account " + account +
                     " does not reference that secret";
  for (const json::value& env : arrayAt(container, "env")) {
    const json::object* ref = nullptr;
    if (const json::value* r = api::findPath(objectAt(env), "valueFrom.secretKeyRef")) {
      ref = r->is_object() ? &r->get_object() : nullptr;
    }
    if (!ref) continue;
    std::string secret(api::getString(*ref, "name"));
    if (!mountable.count(secret)) {
      return std::string(kind) + " " + name + " with envVar " +
             std::string(api::getString(objectAt(env), "name")) +
             " referencing secret.secretName=\"" + secret + tail;
    }
  }
  for (const json::value& from : arrayAt(container, "envFrom")) {
    const json::object* ref = api::findObject(objectAt(from), "secretRef");
    if (!ref) continue;
    std::string secret(api::getString(*ref, "name"));
    if (!mountable.count(secret)) {
      return std::string(kind) + " " + name + " with envFrom referencing secret.secretName=\"" +
             secret + tail;
    }
  }
  return "";
}

std::set<std::string> namesIn(const json::object& account, std::string_view key) {
  std::set<std::string> out;
  for (const json::value& ref : arrayAt(account, key)) {
    out.insert(std::string(api::getString(objectAt(ref), "name")));
  }
  return out;
}

// limitSecretReferences: the first secret the pod uses that the account does
// not list, as upstream's message; empty when there is none.
std::string unlistedSecret(const json::object& account, const json::object& pod) {
  const std::string accountName(api::metaName(account));
  const std::set<std::string> mountable = namesIn(account, "secrets");
  const json::object& spec = specOf(pod);
  for (const json::value& v : arrayAt(spec, "volumes")) {
    const json::object* secret = api::findObject(objectAt(v), "secret");
    if (!secret) continue;
    std::string name(api::getString(*secret, "secretName"));
    if (!mountable.count(name)) {
      return "volume with secret.secretName=\"" + name +
             "\" is not allowed because service account " + accountName +
             " does not reference that secret";
    }
  }
  const std::pair<const char*, std::string_view> lists[] = {{"initContainers", "init container"},
                                                            {"containers", "container"}};
  for (const auto& [key, kind] : lists) {
    for (const json::value& c : arrayAt(spec, key)) {
      std::string problem = containerSecretProblem(objectAt(c), kind, mountable, accountName);
      if (!problem.empty()) return problem;
    }
  }
  const std::set<std::string> pullSecrets = namesIn(account, "imagePullSecrets");
  const json::array& refs = arrayAt(spec, "imagePullSecrets");
  for (std::size_t i = 0; i < refs.size(); ++i) {
    std::string name(api::getString(objectAt(refs[i]), "name"));
    if (!pullSecrets.count(name)) {
      return "imagePullSecrets[" + std::to_string(i) + "].name=\"" + name +
             "\" is not allowed because service account " + accountName +
             " does not reference that imagePullSecret";
    }
  }
  return "";
}

bool containersUseSecrets(const json::array& containers) {
  for (const json::value& c : containers) {
    for (const json::value& env : arrayAt(objectAt(c), "env")) {
      if (api::findPath(objectAt(env), "valueFrom.secretKeyRef")) return true;
    }
    for (const json::value& from : arrayAt(objectAt(c), "envFrom")) {
      if (api::findObject(objectAt(from), "secretRef")) return true;
    }
  }
  return false;
}

// The volume sources that name a secret (VisitPodSecretNames).
bool volumeUsesSecret(const json::object& volume) {
  if (volume.contains("secret")) return true;
  for (const char* path : {"azureFile.secretName", "cephfs.secretRef", "cinder.secretRef",
                           "flexVolume.secretRef", "iscsi.secretRef", "rbd.secretRef",
                           "scaleIO.secretRef", "storageos.secretRef", "csi.nodePublishSecretRef"}) {
    if (api::findPath(volume, path)) return true;
  }
  const json::value* sources = api::findPath(volume, "projected.sources");
  if (!sources || !sources->is_array()) return false;
  for (const json::value& source : sources->get_array()) {
    if (objectAt(source).contains("secret")) return true;
  }
  return false;
}

// VisitPodSecretNames found any name.
bool usesSecrets(const json::object& pod) {
  const json::object& spec = specOf(pod);
  if (!arrayAt(spec, "imagePullSecrets").empty()) return true;
  for (const char* key : {"containers", "initContainers", "ephemeralContainers"}) {
    if (containersUseSecrets(arrayAt(spec, key))) return true;
  }
  for (const json::value& v : arrayAt(spec, "volumes")) {
    if (volumeUsesSecret(objectAt(v))) return true;
  }
  return false;
}

bool projectsTokens(const json::object& pod) {
  for (const json::value& v : arrayAt(specOf(pod), "volumes")) {
    const json::value* sources = api::findPath(objectAt(v), "projected.sources");
    if (!sources || !sources->is_array()) continue;
    for (const json::value& source : sources->get_array()) {
      if (objectAt(source).contains("serviceAccountToken")) return true;
    }
  }
  return false;
}

// What a mirror pod may not reference; empty when it references none of it.
std::string mirrorPodProblem(const json::object& pod) {
  if (!api::getString(specOf(pod), "serviceAccountName").empty()) {
    return "a mirror pod may not reference service accounts";
  }
  if (usesSecrets(pod)) return "a mirror pod may not reference secrets";
  if (projectsTokens(pod)) return "a mirror pod may not use ServiceAccountToken volume projections";
  return "";
}

std::chrono::milliseconds jittered(std::chrono::milliseconds base) {
  if (base.count() <= 1) return base;
  thread_local std::mt19937 random{std::random_device{}()};
  std::uniform_int_distribution<long> extra(0, base.count() - 1);
  return base + std::chrono::milliseconds(extra(random));
}

}  // namespace

ServiceAccountAdmission::ServiceAccountAdmission(Registry& serviceAccounts,
                                                 ServiceAccountAdmissionOptions options)
    : serviceAccounts_(serviceAccounts), options_(std::move(options)) {
  if (!options_.volumeSuffix) options_.volumeSuffix = api::randomNameSuffix;
}

boost::asio::awaitable<Result<json::object>> ServiceAccountAdmission::lookUp(
    const std::string& ns, const std::string& name) {
  auto cached = serviceAccounts_.cache().peek(serviceAccounts_.key(ns, name));
  if (cached && cached->json) {
    auto parsed = api::parseJson(*cached->json);
    if (parsed && parsed->is_object()) co_return std::move(parsed->get_object());
  }
  // Not in the cache: read it, a few times for the default account, which the
  // service account controller creates right after its namespace.
  int attempts = name == kDefaultAccount ? options_.defaultAccountAttempts : 1;
  auto interval = jittered(options_.retryInterval);
  for (int i = 0; i < attempts; ++i) {
    if (i != 0) {
      boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, interval);
      co_await timer.async_wait(boost::asio::use_awaitable);
    }
    auto found = co_await serviceAccounts_.get(ns, name);
    if (found) {
      auto parsed = api::parseJson(*found->json);
      if (!parsed) co_return std::move(parsed).error();
      co_return std::move(parsed->as_object());
    }
    if (found.error().reason != Reason::NotFound) co_return std::move(found).error();
  }
  co_return makeError(Reason::NotFound, "serviceaccount \"" + name + "\" not found");
}

boost::asio::awaitable<Result<json::object>> ServiceAccountAdmission::accountOf(
    const Attributes& attrs, const std::string& name) {
  auto account = co_await lookUp(attrs.ns, name);
  if (!account) {
    co_return forbidden(attrs, "error looking up service account " + attrs.ns + "/" + name + ": " +
                                   account.error().message);
  }
  co_return account;
}

boost::asio::awaitable<Result<void>> ServiceAccountAdmission::admit(Attributes& attrs) {
  if (!concernsPods(attrs)) co_return Result<void>{};
  json::object& pod = *attrs.object;
  // A mirror pod's spec must stay as its static pod file says.
  if (isMirrorPod(pod)) co_return co_await validate(attrs);
  json::object& spec = specOf(pod);
  if (api::getString(spec, "serviceAccountName").empty()) spec["serviceAccountName"] = kDefaultAccount;
  std::string accountName(api::getString(spec, "serviceAccountName"));
  auto account = co_await accountOf(attrs, accountName);
  if (!account) co_return std::move(account).error();
  if (automounts(*account, pod)) mountToken(pod, options_.volumeSuffix());
  copyPullSecrets(*account, pod);
  co_return co_await validate(attrs);
}

boost::asio::awaitable<Result<void>> ServiceAccountAdmission::validate(const Attributes& attrs) {
  if (!concernsPods(attrs)) co_return Result<void>{};
  const json::object& pod = *attrs.object;
  if (isMirrorPod(pod)) {
    std::string problem = mirrorPodProblem(pod);
    if (!problem.empty()) co_return forbidden(attrs, problem);
    co_return Result<void>{};
  }
  std::string accountName(api::getString(specOf(pod), "serviceAccountName"));
  if (accountName.empty()) {
    co_return forbidden(attrs, "no service account specified for pod " + attrs.ns + "/" +
                                   std::string(api::metaName(pod)));
  }
  auto account = co_await accountOf(attrs, accountName);
  if (!account) co_return std::move(account).error();
  if (enforcesMountableSecrets(*account)) {
    std::string problem = unlistedSecret(*account, pod);
    if (!problem.empty()) co_return forbidden(attrs, problem);
  }
  co_return Result<void>{};
}

}  // namespace kcpp::apiserver::admission
