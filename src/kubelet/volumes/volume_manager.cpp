#include "kubelet/volumes/volume_manager.h"

#include <sys/stat.h>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/spdlog.h>

#include "api/meta/object.h"
#include "kubelet/volumes/host_path.h"
#include "kubelet/volumes/subpath.h"
#include "kubelet/volumes/volume_sources.h"

namespace kcpp::kubelet::volumes {

namespace fs = std::filesystem;
namespace json = boost::json;
namespace asio = boost::asio;
using api::validation::Quantity;

namespace {

std::string podUid(const json::object& pod) {
  const json::value* v = api::findPath(pod, "metadata.uid");
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::string podKey(const json::object& pod) {
  return std::string(api::metaNamespace(pod)) + "/" + std::string(api::metaName(pod));
}

bool boolAt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_bool() && v->as_bool();
}

std::string stringAt(const json::object& o, std::string_view path) {
  const json::value* v = api::findPath(o, path);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

Result<void> makeWorldWritableDir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return makeError(Reason::InternalError, "mkdir " + dir.string() + ": " + ec.message());
  // emptyDir semantics: 0777 whatever the umask (upstream's setupDir).
  ::chmod(dir.c_str(), 0777);
  return {};
}

Error setUpFailed(const std::string& volume, Error cause) {
  cause.message = "MountVolume.SetUp failed for volume \"" + volume + "\" : " + cause.message;
  return cause;
}

const json::object* findContainer(const json::object& pod, const std::string& name) {
  for (const char* list : {"spec.containers", "spec.initContainers", "spec.ephemeralContainers"}) {
    const json::value* v = api::findPath(pod, list);
    if (!v || !v->is_array()) continue;
    for (const auto& c : v->as_array()) {
      if (c.is_object() && api::getString(c.as_object(), "name") == name) return &c.as_object();
    }
  }
  return nullptr;
}

// The container's env vars that subPathExpr may use: literal values and the
// downward API (ConfigMap/Secret key refs are the pod worker's to resolve).
std::map<std::string, std::string> containerEnv(const json::object& pod, const json::object& c,
                                                const ResourceList& allocatable) {
  std::map<std::string, std::string> env;
  const json::value* list = c.if_contains("env");
  if (!list || !list->is_array()) return env;
  std::string name(api::getString(c, "name"));
  for (const auto& item : list->as_array()) {
    if (!item.is_object()) continue;
    const json::object& e = item.as_object();
    std::string key(api::getString(e, "name"));
    if (e.contains("value")) {
      env[key] = std::string(api::getString(e, "value"));
    } else if (const json::value* f = api::findPath(e, "valueFrom.fieldRef.fieldPath"); f && f->is_string()) {
      if (auto v = podFieldValue(pod, std::string(f->as_string()))) env[key] = *v;
    } else if (const json::object* from = api::findObject(e, "valueFrom")) {
      if (const json::object* r = api::findObject(*from, "resourceFieldRef")) {
        if (auto v = containerResourceValue(pod, *r, name, allocatable)) env[key] = *v;
      }
    }
  }
  return env;
}

// tmpfs size of a Memory emptyDir: sizeLimit, else the pod's memory limit (all
// containers limited), else node allocatable memory.
std::optional<std::int64_t> memoryVolumeSize(const json::object& pod, const json::object& source,
                                             const ResourceList& allocatable) {
  if (const json::value* s = source.if_contains("sizeLimit")) {
    if (auto q = Quantity::fromJson(*s); q && q->sign() > 0) return q->value();
  }
  std::int64_t sum = 0;
  bool allLimited = true;
  if (const json::value* cs = api::findPath(pod, "spec.containers"); cs && cs->is_array()) {
    for (const auto& c : cs->as_array()) {
      const json::value* m = c.is_object() ? api::findPath(c.as_object(), "resources.limits.memory") : nullptr;
      auto q = m ? Quantity::fromJson(*m) : std::nullopt;
      if (!q) allLimited = false;
      else sum += q->value();
    }
  }
  if (allLimited && sum > 0) return sum;
  auto alloc = allocatable.find("memory");
  if (alloc != allocatable.end()) return alloc->second.value();
  return std::nullopt;
}

}  // namespace

VolumeManager::VolumeManager(client::RestClient& client, VolumeManagerOptions options)
    : client_(client),
      options_(std::move(options)),
      mounter_(options_.mounter ? *options_.mounter : systemMounter()),
      tokens_(tokenRequestFetch(client), options_.clock, options_.tokenJitter) {}

fs::path VolumeManager::volumeDir(const std::string& uid, const std::string& plugin,
                                  const std::string& name) const {
  return options_.podsDir / uid / "volumes" / ("kubernetes.io~" + plugin) / name;
}

asio::awaitable<Result<void>> VolumeManager::mountPod(const json::object& pod) {
  std::string uid = podUid(pod);
  if (uid.empty()) co_return makeError(Reason::BadRequest, "pod " + podKey(pod) + " has no uid");
  PodVolumes state{pod, {}};
  if (const json::value* vs = api::findPath(pod, "spec.volumes"); vs && vs->is_array()) {
    for (const auto& v : vs->as_array()) {
      if (!v.is_object()) continue;
      const json::object& volume = v.as_object();
      std::string name(api::getString(volume, "name"));
      auto info = co_await setUpVolume(pod, volume);
      if (!info) co_return setUpFailed(name, std::move(info).error());
      state.volumes[name] = std::move(*info);
    }
  }
  pods_[uid] = std::move(state);
  co_return Result<void>{};
}

asio::awaitable<Result<VolumeManager::VolumeInfo>> VolumeManager::setUpVolume(
    const json::object& pod, const json::object& volume) {
  std::string uid = podUid(pod);
  std::string name(api::getString(volume, "name"));
  if (const json::object* src = api::findObject(volume, "emptyDir")) {
    co_return setUpEmptyDir(uid, name, pod, *src);
  }
  if (const json::object* src = api::findObject(volume, "hostPath")) {
    std::string path(api::getString(*src, "path"));
    if (auto ok = checkHostPathType(path, std::string(api::getString(*src, "type"))); !ok) {
      co_return std::move(ok).error();
    }
    co_return VolumeInfo{path, false};
  }
  if (const json::object* src = api::findObject(volume, "persistentVolumeClaim")) {
    co_return co_await setUpPersistentVolumeClaim(pod, *src);
  }
  std::string plugin;
  auto payload = co_await payloadFor(pod, volume, plugin);
  if (!payload) co_return std::move(payload).error();
  bool inMemory = options_.secretsInMemory && plugin != "configmap";
  auto dir = apiVolumeDir(uid, plugin, name, inMemory);
  if (!dir) co_return std::move(dir).error();
  AtomicWriter writer(*dir);
  auto written = writer.write(*payload);
  if (!written) co_return std::move(written).error();
  if (*written) spdlog::debug("volume {} of pod {} updated", name, podKey(pod));
  co_return VolumeInfo{dir->string(), true};
}

Result<VolumeManager::VolumeInfo> VolumeManager::setUpEmptyDir(const std::string& uid,
                                                               const std::string& name,
                                                               const json::object& pod,
                                                               const json::object& source) {
  fs::path dir = volumeDir(uid, "empty-dir", name);
  if (auto ok = makeWorldWritableDir(dir); !ok) return std::move(ok).error();
  std::string medium(api::getString(source, "medium"));
  if (medium.empty()) return VolumeInfo{dir.string(), false};
  if (medium != "Memory") {
    return makeError(Reason::InternalError, "emptyDir medium " + medium + " is not supported");
  }
  if (!mounter_.isMountPoint(dir.string())) {
    auto size = memoryVolumeSize(pod, source, options_.nodeAllocatable);
    if (auto ok = mounter_.mountTmpfs(dir.string(), size); !ok) {
      Error e = std::move(ok).error();
      e.message = "emptyDir with medium Memory needs a tmpfs mount, which failed: " + e.message;
      return e;
    }
  }
  return VolumeInfo{dir.string(), false};
}

Result<fs::path> VolumeManager::apiVolumeDir(const std::string& uid, const std::string& plugin,
                                             const std::string& name, bool inMemory) {
  fs::path dir = volumeDir(uid, plugin, name);
  if (auto ok = makeWorldWritableDir(dir); !ok) return std::move(ok).error();
  if (!inMemory || mounter_.isMountPoint(dir.string())) return dir;
  if (auto ok = mounter_.mountTmpfs(dir.string(), std::nullopt); !ok) {
    if (!warnedTmpfs_) {
      spdlog::warn("{}; {} volumes are kept on disk instead of tmpfs", ok.error().message, plugin);
      warnedTmpfs_ = true;
    }
  }
  return dir;
}

asio::awaitable<Result<VolumeManager::VolumeInfo>> VolumeManager::setUpPersistentVolumeClaim(
    const json::object& pod, const json::object& source) {
  std::string ns(api::metaNamespace(pod));
  std::string claim(api::getString(source, "claimName"));
  std::string key = ns + "/" + claim;
  client::ResourcePath pvcPath{"", "v1", "persistentvolumeclaims", ns, claim, "", ""};
  auto pvc = co_await client_.get(pvcPath);
  if (!pvc) {
    Error e = std::move(pvc).error();
    e.message = "error processing PVC " + key + ": " + e.message;
    co_return e;
  }
  if (api::findPath(*pvc, "metadata.deletionTimestamp")) {
    co_return makeError(Reason::InternalError,
                        "can't start pod because PVC " + key + " is being deleted");
  }
  std::string phase = stringAt(*pvc, "status.phase");
  std::string pvName = stringAt(*pvc, "spec.volumeName");
  if (phase != "Bound" || pvName.empty()) {
    co_return makeError(Reason::InternalError, "PVC " + key + " has non-bound phase (\"" + phase +
                                                   "\") or empty pvc.Spec.VolumeName (\"" +
                                                   pvName + "\")");
  }
  client::ResourcePath pvPath{"", "v1", "persistentvolumes", "", pvName, "", ""};
  auto pv = co_await client_.get(pvPath);
  if (!pv) {
    Error e = std::move(pv).error();
    e.message = "error processing PVC " + key + ": failed to fetch PV \"" + pvName +
                "\" from API server: " + e.message;
    co_return e;
  }
  std::string claimUid = stringAt(*pv, "spec.claimRef.uid");
  std::string pvcUid = stringAt(*pvc, "metadata.uid");
  if (!api::findPath(*pv, "spec.claimRef")) {
    co_return makeError(Reason::InternalError,
                        "found PV object " + pvName +
                            " but it has a nil pv.Spec.ClaimRef indicating it is not yet bound to the claim");
  }
  if (claimUid != pvcUid) {
    co_return makeError(Reason::InternalError, "found PV object " + pvName +
                                                   " but its pv.Spec.ClaimRef.UID " + claimUid +
                                                   " does not point to claim.UID " + pvcUid);
  }
  bool readOnly = boolAt(source, "readOnly");
  if (const json::object* hp = api::findObject(*api::findObject(*pv, "spec"), "hostPath")) {
    std::string path(api::getString(*hp, "path"));
    if (auto ok = checkHostPathType(path, std::string(api::getString(*hp, "type"))); !ok) {
      co_return std::move(ok).error();
    }
    co_return VolumeInfo{path, readOnly};
  }
  if (const json::object* local = api::findObject(*api::findObject(*pv, "spec"), "local")) {
    std::string path(api::getString(*local, "path"));
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      co_return makeError(Reason::InternalError, "path \"" + path + "\" does not exist");
    }
    co_return VolumeInfo{path, readOnly};
  }
  co_return makeError(Reason::InternalError,
                      "PV " + pvName + ": only hostPath and local persistent volumes are supported by this kubelet");
}

asio::awaitable<Result<Payload>> VolumeManager::payloadFor(const json::object& pod,
                                                           const json::object& volume,
                                                           std::string& plugin) {
  std::string ns(api::metaNamespace(pod));
  // GET of a ConfigMap/Secret: nullptr when missing and optional.
  auto fetch = [this, &ns](std::string resource, std::string name, bool optional)
      -> asio::awaitable<Result<std::optional<json::object>>> {
    client::ResourcePath path{"", "v1", resource, ns, name, "", ""};
    auto obj = co_await client_.get(path);
    if (obj) co_return std::optional<json::object>(std::move(*obj));
    if (obj.error().reason == Reason::NotFound && optional) co_return std::optional<json::object>();
    co_return std::move(obj).error();
  };
  auto keyedPayload = [&](const json::object& src, bool secret, mode_t mode)
      -> asio::awaitable<Result<Payload>> {
    std::string name(api::getString(src, secret && src.contains("secretName") ? "secretName" : "name"));
    bool optional = boolAt(src, "optional");
    std::string resource = secret ? "secrets" : "configmaps";
    auto obj = co_await fetch(resource, name, optional);
    if (!obj) co_return std::move(obj).error();
    const json::object* found = obj->has_value() ? &**obj : nullptr;
    co_return secret ? secretPayload(found, src, mode) : configMapPayload(found, src, mode);
  };
  if (const json::object* src = api::findObject(volume, "configMap")) {
    plugin = "configmap";
    co_return co_await keyedPayload(*src, false, defaultModeOf(*src));
  }
  if (const json::object* src = api::findObject(volume, "secret")) {
    plugin = "secret";
    co_return co_await keyedPayload(*src, true, defaultModeOf(*src));
  }
  if (const json::object* src = api::findObject(volume, "downwardAPI")) {
    plugin = "downward-api";
    const json::value* items = src->if_contains("items");
    json::array none;
    const json::array& list = items && items->is_array() ? items->as_array() : none;
    co_return downwardApiPayload(pod, list, defaultModeOf(*src), options_.nodeAllocatable);
  }
  const json::object* projected = api::findObject(volume, "projected");
  if (!projected) {
    co_return makeError(Reason::InternalError,
                        "unsupported volume type (this kubelet serves emptyDir, configMap, secret, "
                        "projected, downwardAPI, hostPath and persistentVolumeClaim)");
  }
  plugin = "projected";
  mode_t mode = defaultModeOf(*projected);
  Payload out;
  const json::value* sources = projected->if_contains("sources");
  if (!sources || !sources->is_array()) co_return out;
  for (const auto& s : sources->as_array()) {
    if (!s.is_object()) continue;
    const json::object& source = s.as_object();
    Result<Payload> part = Payload{};
    if (const json::object* cm = api::findObject(source, "configMap")) {
      part = co_await keyedPayload(*cm, false, mode);
    } else if (const json::object* sec = api::findObject(source, "secret")) {
      part = co_await keyedPayload(*sec, true, mode);
    } else if (const json::object* da = api::findObject(source, "downwardAPI")) {
      const json::value* items = da->if_contains("items");
      json::array none;
      const json::array& list = items && items->is_array() ? items->as_array() : none;
      part = downwardApiPayload(pod, list, mode, options_.nodeAllocatable);
    } else if (const json::object* sat = api::findObject(source, "serviceAccountToken")) {
      TokenRequestSpec spec;
      spec.ns = ns;
      spec.serviceAccount = stringAt(pod, "spec.serviceAccountName");
      if (spec.serviceAccount.empty()) spec.serviceAccount = "default";
      spec.audience = std::string(api::getString(*sat, "audience"));
      if (const json::value* e = sat->if_contains("expirationSeconds"); e && e->is_number()) {
        spec.expirationSeconds = e->to_number<std::int64_t>();
      }
      spec.podName = std::string(api::metaName(pod));
      spec.podUid = podUid(pod);
      auto token = co_await tokens_.getToken(spec);
      if (!token) {
        Error e = std::move(token).error();
        e.message = "failed to fetch token: " + e.message;
        co_return e;
      }
      Payload p;
      p[std::string(api::getString(*sat, "path"))] = FileProjection{std::move(*token), mode};
      part = std::move(p);
    }
    if (!part) co_return std::move(part).error();
    for (auto& [path, file] : *part) out[path] = std::move(file);
  }
  co_return out;
}

Result<std::vector<Mount>> VolumeManager::mountsFor(const json::object& pod,
                                                    const std::string& container) const {
  auto state = pods_.find(podUid(pod));
  if (state == pods_.end()) {
    return makeError(Reason::InternalError, "volumes of pod " + podKey(pod) + " are not mounted");
  }
  const json::object* c = findContainer(pod, container);
  if (!c) return makeError(Reason::NotFound, "container " + container + " not found in pod " + podKey(pod));
  std::vector<Mount> mounts;
  const json::value* list = c->if_contains("volumeMounts");
  if (!list || !list->is_array()) return mounts;
  std::optional<std::map<std::string, std::string>> env;
  for (const auto& item : list->as_array()) {
    if (!item.is_object()) continue;
    const json::object& vm = item.as_object();
    std::string name(api::getString(vm, "name"));
    auto volume = state->second.volumes.find(name);
    if (volume == state->second.volumes.end()) {
      return makeError(Reason::InternalError, "cannot find volume \"" + name +
                                                  "\" to mount into container \"" + container + "\"");
    }
    std::string hostPath = volume->second.hostPath;
    std::string subPath(api::getString(vm, "subPath"));
    if (std::string expr(api::getString(vm, "subPathExpr")); !expr.empty()) {
      if (!env) env = containerEnv(pod, *c, options_.nodeAllocatable);
      auto expanded = expandSubPathExpr(expr, *env);
      if (!expanded) return std::move(expanded).error();
      subPath = *expanded;
    }
    if (!subPath.empty()) {
      auto resolved = resolveSubPath(hostPath, subPath, name, container);
      if (!resolved) return std::move(resolved).error();
      hostPath = *resolved;
    }
    std::string propagation(api::getString(vm, "mountPropagation"));
    if (propagation != "HostToContainer" && propagation != "Bidirectional") propagation.clear();
    mounts.push_back(Mount{std::string(api::getString(vm, "mountPath")), hostPath,
                           boolAt(vm, "readOnly") || volume->second.readOnly, propagation});
  }
  return mounts;
}

asio::awaitable<Result<void>> VolumeManager::unmountPod(const std::string& uid) {
  fs::path podDir = options_.podsDir / uid;
  std::error_code ec;
  for (const auto& plugin : fs::directory_iterator(podDir / "volumes", ec)) {
    std::error_code inner;
    for (const auto& volume : fs::directory_iterator(plugin.path(), inner)) {
      if (!mounter_.isMountPoint(volume.path().string())) continue;
      if (auto ok = mounter_.unmount(volume.path().string()); !ok) co_return std::move(ok).error();
    }
  }
  // Nothing is mounted below any more: removing cannot reach outside the pod dir.
  fs::remove_all(podDir, ec);
  if (ec) co_return makeError(Reason::InternalError, "remove " + podDir.string() + ": " + ec.message());
  tokens_.deleteForPod(uid);
  pods_.erase(uid);
  co_return Result<void>{};
}

asio::awaitable<void> VolumeManager::resyncAll() {
  std::vector<json::object> pods;
  for (const auto& [uid, state] : pods_) pods.push_back(state.pod);
  for (const auto& pod : pods) {
    if (!pods_.count(podUid(pod))) continue;  // unmounted meanwhile
    auto ok = co_await mountPod(pod);
    if (!ok) spdlog::warn("resync of volumes of pod {}: {}", podKey(pod), ok.error().message);
  }
}

asio::awaitable<void> VolumeManager::run(std::chrono::milliseconds period) {
  timer_ = std::make_unique<asio::steady_timer>(co_await asio::this_coro::executor);
  while (!stopped_) {
    timer_->expires_after(period);
    boost::system::error_code ec;
    co_await timer_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (stopped_) break;
    co_await resyncAll();
  }
}

void VolumeManager::stop() {
  stopped_ = true;
  if (timer_) timer_->cancel();
}

asio::awaitable<void> VolumeManager::cleanupOrphanedPodDirs(const std::set<std::string>& activeUids) {
  std::vector<std::string> orphans;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(options_.podsDir, ec)) {
    std::string uid = entry.path().filename().string();
    if (!activeUids.count(uid) && !pods_.count(uid)) orphans.push_back(uid);
  }
  for (const auto& uid : orphans) {
    auto ok = co_await unmountPod(uid);
    if (!ok) spdlog::warn("orphaned pod {}: {}", uid, ok.error().message);
    else spdlog::info("removed the volumes of orphaned pod {}", uid);
  }
}

}  // namespace kcpp::kubelet::volumes
