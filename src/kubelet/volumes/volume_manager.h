#pragma once
// The kubelet's VolumeManager: materialises a pod's volumes under
// <podsDir>/<uid>/volumes/kubernetes.io~<plugin>/<name> as upstream's volume
// plugins lay them out (empty-dir, configmap, secret, projected, downward-api),
// checks hostPath types and resolves persistentVolumeClaims to a local/hostPath
// PV's path, and gives each container its CRI mounts with subPath resolved
// safely. ConfigMaps, Secrets and tokens come from the API (GET by name, which
// the Node authorizer allows for the pods bound to this node); resyncAll() (or
// run()) rewrites them when the objects change, through the atomic writer, and
// refreshes service-account tokens as upstream's token manager.
//
// Not thread-safe: one executor, the one the RestClient runs on.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "client/rest/rest_client.h"
#include "kubelet/volumes/atomic_writer.h"
#include "kubelet/volumes/downward_api.h"
#include "kubelet/volumes/token_manager.h"
#include "util/error.h"

namespace kcpp::kubelet::volumes {

struct Mount {
  std::string containerPath, hostPath;
  bool readOnly = false;
  std::string propagation;  // "", "HostToContainer", "Bidirectional"
};

// Mounting is a seam: tests (and hosts without CAP_SYS_ADMIN) may replace it.
struct Mounter {
  // mount -t tmpfs [-o size=N] tmpfs <path>
  std::function<Result<void>(const std::string& path, std::optional<std::int64_t> sizeBytes)> mountTmpfs;
  std::function<Result<void>(const std::string& path)> unmount;
  // Whether <path> is a mount point.
  std::function<bool(const std::string& path)> isMountPoint;
};
Mounter systemMounter();

struct VolumeManagerOptions {
  std::filesystem::path podsDir;  // <data-dir>/agent/pods
  ResourceList nodeAllocatable;   // limits that are not set (downward API, tmpfs size)
  // Secrets and projected volumes on tmpfs as upstream (never on disk); when the
  // mount is refused they fall back to disk with a warning.
  bool secretsInMemory = true;
  std::optional<Mounter> mounter;  // default systemMounter()
  SystemClock clock;               // token refresh (tests)
  TokenManager::Jitter tokenJitter;
};

class VolumeManager {
 public:
  VolumeManager(client::RestClient& client, VolumeManagerOptions options);

  // Materialises every volume of the pod under <podsDir>/<uid>/volumes/...
  // (fetching ConfigMaps/Secrets/tokens through the API); Error when a volume
  // cannot be set up (the pod worker reports it as an event and retries).
  // Idempotent: calling it again updates API-backed volumes in place.
  boost::asio::awaitable<Result<void>> mountPod(const boost::json::object& pod);
  // The CRI mounts for one container (volumeMounts with subPath resolved).
  Result<std::vector<Mount>> mountsFor(const boost::json::object& pod,
                                       const std::string& container) const;
  // After the pod is gone: unmounts tmpfs volumes, removes <podsDir>/<uid>.
  boost::asio::awaitable<Result<void>> unmountPod(const std::string& podUid);

  // Rewrites the API-backed volumes of every mounted pod (object changes, tokens).
  boost::asio::awaitable<void> resyncAll();
  // resyncAll() every `period` (upstream: the kubelet's 1-minute sync) until stop().
  boost::asio::awaitable<void> run(std::chrono::milliseconds period = std::chrono::minutes(1));
  void stop();
  // Removes the directories of pods that are neither in `activeUids` nor mounted.
  boost::asio::awaitable<void> cleanupOrphanedPodDirs(const std::set<std::string>& activeUids);

  std::filesystem::path volumeDir(const std::string& podUid, const std::string& plugin,
                                  const std::string& name) const;
  TokenManager& tokens() { return tokens_; }
  bool mounted(const std::string& podUid) const { return pods_.count(podUid) != 0; }

 private:
  struct VolumeInfo {
    std::string hostPath;
    bool readOnly = false;
  };
  struct PodVolumes {
    boost::json::object pod;
    std::map<std::string, VolumeInfo> volumes;
  };

  boost::asio::awaitable<Result<VolumeInfo>> setUpVolume(const boost::json::object& pod,
                                                         const boost::json::object& volume);
  boost::asio::awaitable<Result<VolumeInfo>> setUpPersistentVolumeClaim(
      const boost::json::object& pod, const boost::json::object& source);
  Result<VolumeInfo> setUpEmptyDir(const std::string& uid, const std::string& name,
                                   const boost::json::object& pod, const boost::json::object& source);
  // The directory of an API-backed volume (tmpfs for secrets when allowed).
  Result<std::filesystem::path> apiVolumeDir(const std::string& uid, const std::string& plugin,
                                             const std::string& name, bool inMemory);
  boost::asio::awaitable<Result<Payload>> payloadFor(const boost::json::object& pod,
                                                     const boost::json::object& volume,
                                                     std::string& plugin);

  client::RestClient& client_;
  VolumeManagerOptions options_;
  Mounter mounter_;
  TokenManager tokens_;
  std::map<std::string, PodVolumes> pods_;
  std::unique_ptr<boost::asio::steady_timer> timer_;
  bool stopped_ = false;
  bool warnedTmpfs_ = false;
};

}  // namespace kcpp::kubelet::volumes
