#include "controllers/volume/localpath/local_path_provisioner.h"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "api/meta/object.h"
#include "controllers/volume/persistentvolume/pv_util.h"

namespace kcpp::controllers {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using client::ObjectPtr;
using namespace volume;

namespace {

const std::string kName = "local-path-provisioner";
const std::string kClaimPrefix = "claim:";
const std::string kVolumePrefix = "volume:";

bool provisionedHere(const json::object& volume) {
  return annotation(volume, kAnnDynamicallyProvisioned) == kLocalPathProvisioner;
}

// The node's hostname label (what the node affinity must name), else its name.
std::string hostnameOf(const ObjectPtr& node, const std::string& nodeName) {
  if (!node) return nodeName;
  auto labels = api::metaLabels(*node);
  auto found = labels.find(kLabelHostname);
  return found != labels.end() ? found->second : nodeName;
}

}  // namespace

LocalPathProvisioner::LocalPathProvisioner(client::RestClient& client, client::InformerFactory& informers,
                                           asio::any_io_executor executor, LocalPathOptions options)
    : client_(client),
      informers_(informers),
      claims_(informers.forResource("", "v1", "persistentvolumeclaims")),
      volumes_(informers.forResource("", "v1", "persistentvolumes")),
      classes_(informers.forResource("storage.k8s.io", "v1", "storageclasses")),
      nodes_(informers.forResource("", "v1", "nodes")),
      executor_(executor),
      options_(std::move(options)),
      queue_(executor),
      recorder_(client, executor, kLocalPathProvisioner) {
  client::EventHandlers claimHandlers;
  claimHandlers.onAdd = [this](const ObjectPtr& c) { queue_.add(kClaimPrefix + client::objectKey(*c)); };
  claimHandlers.onUpdate = [this](const ObjectPtr&, const ObjectPtr& c) {
    queue_.add(kClaimPrefix + client::objectKey(*c));
  };
  claims_.addHandlers(std::move(claimHandlers));
  client::EventHandlers volumeHandlers;
  volumeHandlers.onAdd = [this](const ObjectPtr& v) {
    if (provisionedHere(*v)) queue_.add(kVolumePrefix + std::string(api::metaName(*v)));
  };
  volumeHandlers.onUpdate = [this](const ObjectPtr&, const ObjectPtr& v) {
    if (provisionedHere(*v)) queue_.add(kVolumePrefix + std::string(api::metaName(*v)));
  };
  volumes_.addHandlers(std::move(volumeHandlers));
}

asio::awaitable<void> LocalPathProvisioner::run() {
  if (!co_await waitForCaches(informers_, executor_, kName)) co_return;
  co_await runWorkers(queue_, options_.workers, [this](const std::string& key) { return sync(key); }, kName);
}

void LocalPathProvisioner::stop() { queue_.shutDown(); }

std::string LocalPathProvisioner::volumeDir(const std::string& dir, const json::object& claim) {
  std::string leaf = "pvc-" + str(claim, "metadata.uid") + "_" + std::string(api::metaNamespace(claim)) + "_" +
                     std::string(api::metaName(claim));
  return (fs::path(dir) / leaf).string();
}

bool LocalPathProvisioner::wantsProvisioning(const json::object& claim, json::object& storageClass) const {
  if (api::findPath(claim, "metadata.deletionTimestamp") || !str(claim, "spec.volumeName").empty()) return false;
  if (annotation(claim, kAnnSelectedNode).empty()) return false;
  std::string asked = annotation(claim, kAnnStorageProvisioner);
  if (asked.empty()) asked = annotation(claim, kAnnBetaStorageProvisioner);
  if (asked != kLocalPathProvisioner) return false;
  std::string className = claimClass(claim);
  ObjectPtr found = className.empty() ? nullptr : classes_.get(className);
  if (!found || str(*found, "provisioner") != kLocalPathProvisioner) return false;
  storageClass = *found;
  return true;
}

asio::awaitable<Result<void>> LocalPathProvisioner::sync(const std::string& key) {
  if (key.starts_with(kClaimPrefix)) {
    ObjectPtr claim = claims_.get(key.substr(kClaimPrefix.size()));
    json::object storageClass;
    if (!claim || !wantsProvisioning(*claim, storageClass)) co_return Result<void>{};
    co_return co_await provision(*claim, storageClass);
  }
  ObjectPtr volume = volumes_.get(key.substr(kVolumePrefix.size()));
  if (!volume || !provisionedHere(*volume) || api::findPath(*volume, "metadata.deletionTimestamp")) {
    co_return Result<void>{};
  }
  if (str(*volume, "status.phase") != "Released" || str(*volume, "spec.persistentVolumeReclaimPolicy") != "Delete") {
    co_return Result<void>{};
  }
  co_return co_await deleteVolume(*volume);
}

asio::awaitable<Result<void>> LocalPathProvisioner::provision(const json::object& claim,
                                                             const json::object& storageClass) {
  std::string volumeName = "pvc-" + str(claim, "metadata.uid");
  if (volumes_.get(volumeName)) co_return Result<void>{};  // already provisioned; the binder binds it
  std::string nodeName = annotation(claim, kAnnSelectedNode);
  std::string base = options_.dir.empty() ? "/var/lib/rancher/k3s/storage" : options_.dir;
  std::string path = volumeDir(base, claim);
  if (!options_.dir.empty()) {
    std::error_code ec;
    fs::create_directories(path, ec);
    if (ec) co_return makeError(Reason::InternalError, "creating " + path + ": " + ec.message());
    fs::permissions(path, fs::perms::all, ec);  // rancher's provisioner makes them 0777
  }
  std::string policy = str(storageClass, "reclaimPolicy");
  const json::value* request = api::findPath(claim, "spec.resources.requests.storage");
  const json::value* modes = api::findPath(claim, "spec.accessModes");
  std::string mode = str(claim, "spec.volumeMode");
  json::object requirement{{"key", kLabelHostname}, {"operator", "In"},
                           {"values", json::array{json::string(hostnameOf(nodes_.get(nodeName), nodeName))}}};
  json::object spec{
      {"capacity", json::object{{"storage", request ? *request : json::value("0")}}},
      {"accessModes", modes ? *modes : json::array{"ReadWriteOnce"}},
      {"persistentVolumeReclaimPolicy", policy.empty() ? "Delete" : policy},
      {"storageClassName", claimClass(claim)},
      {"volumeMode", mode.empty() ? "Filesystem" : mode},
      {"hostPath", json::object{{"path", path}, {"type", "DirectoryOrCreate"}}},
      {"nodeAffinity",
       json::object{{"required", json::object{{"nodeSelectorTerms",
                                               json::array{json::object{{"matchExpressions",
                                                                         json::array{requirement}}}}}}}}},
      {"claimRef", json::object{{"kind", "PersistentVolumeClaim"},
                                {"namespace", api::metaNamespace(claim)},
                                {"name", api::metaName(claim)},
                                {"uid", str(claim, "metadata.uid")},
                                {"apiVersion", "v1"},
                                {"resourceVersion", api::metaResourceVersion(claim)}}}};
  const json::value* options = api::findPath(storageClass, "mountOptions");
  if (options) spec["mountOptions"] = *options;
  json::object pv{{"apiVersion", "v1"},
                  {"kind", "PersistentVolume"},
                  {"metadata", json::object{{"name", volumeName},
                                            {"annotations", json::object{{kAnnDynamicallyProvisioned,
                                                                          kLocalPathProvisioner},
                                                                         {"local.path.provisioner/selected-node",
                                                                          nodeName}}}}},
                  {"spec", std::move(spec)}};
  client::ResourcePath pvPath{"", "v1", "persistentvolumes", "", "", "", ""};
  auto created = co_await client_.create(pvPath, pv);
  if (!created && created.error().reason != Reason::AlreadyExists) {
    json::object regarding = claim;
    regarding["kind"] = "PersistentVolumeClaim";
    regarding["apiVersion"] = "v1";
    recorder_.record(regarding, "Warning", "ProvisioningFailed",
                     "failed to provision volume with StorageClass \"" + claimClass(claim) +
                         "\": " + created.error().message);
    co_return std::move(created).error();
  }
  spdlog::info("local-path-provisioner: provisioned {} at {} on node {}", volumeName, path, nodeName);
  json::object regarding = claim;
  regarding["kind"] = "PersistentVolumeClaim";
  regarding["apiVersion"] = "v1";
  recorder_.record(regarding, "Normal", "ProvisioningSucceeded", "Successfully provisioned volume " + volumeName);
  co_return Result<void>{};
}

asio::awaitable<Result<void>> LocalPathProvisioner::deleteVolume(const json::object& volume) {
  std::string path = str(volume, "spec.hostPath.path");
  if (path.empty()) path = str(volume, "spec.local.path");
  // Only directories this provisioner made, under its own directory.
  if (!options_.dir.empty() && !path.empty() &&
      fs::path(path).parent_path() == fs::path(options_.dir) &&
      fs::path(path).filename().string().starts_with("pvc-")) {
    std::error_code ec;
    fs::remove_all(path, ec);
    if (ec) co_return makeError(Reason::InternalError, "removing " + path + ": " + ec.message());
  }
  std::string name(api::metaName(volume));
  client::ResourcePath pvPath{"", "v1", "persistentvolumes", "", name, "", ""};
  json::object options{{"preconditions", json::object{{"uid", str(volume, "metadata.uid")}}}};
  auto removed = co_await client_.remove(pvPath, options);
  if (!removed && removed.error().reason != Reason::NotFound) co_return std::move(removed).error();
  spdlog::info("local-path-provisioner: deleted volume {} and {}", name, path);
  co_return Result<void>{};
}

}  // namespace kcpp::controllers
