#pragma once
// The local-path provisioner k3s ships as its default StorageClass `local-path`
// (rancher's local-path-provisioner, provisioner name rancher.io/local-path).
//
// A claim of a class with this provisioner, annotated for it by the binder
// (volume.kubernetes.io/storage-provisioner) and placed on a node
// (volume.kubernetes.io/selected-node), gets a PersistentVolume pvc-<uid>:
// a hostPath (DirectoryOrCreate) at <dir>/pvc-<uid>_<ns>_<name>, the claim's
// size and access modes, node affinity to the node's hostname, the class's
// reclaim policy, and a claimRef so that the binder binds the two. A Released
// volume it provisioned with policy Delete is deleted, its directory too.
//
// The directory is made and removed here, on the machine of the
// controller-manager: with kcpp's nodes (embedded server, sim nodes) that is
// the machine the volumes live on. Without a directory configured the volume
// objects are still managed and the directories left to the nodes' hostPath.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <string>

#include "client/informer/informer_factory.h"
#include "client/rest/rest_client.h"
#include "client/workqueue/work_queue.h"
#include "controllers/common/controller.h"
#include "controllers/common/event_recorder.h"

namespace kcpp::controllers {

namespace json = boost::json;

inline constexpr const char* kLocalPathProvisioner = "rancher.io/local-path";

struct LocalPathOptions {
  std::string dir;  // where volumes' directories are made; empty: not made here
  int workers = 2;
};

class LocalPathProvisioner : public Controller {
 public:
  LocalPathProvisioner(client::RestClient& client, client::InformerFactory& informers,
                       boost::asio::any_io_executor executor, LocalPathOptions options);

  boost::asio::awaitable<void> run() override;
  void stop() override;

  // Keys are "claim:<ns>/<name>" or "volume:<name>".
  boost::asio::awaitable<Result<void>> sync(const std::string& key);

  // <dir>/pvc-<uid>_<ns>_<name>, as rancher's provisioner names them.
  static std::string volumeDir(const std::string& dir, const json::object& claim);

 private:
  boost::asio::awaitable<Result<void>> provision(const json::object& claim, const json::object& storageClass);
  boost::asio::awaitable<Result<void>> deleteVolume(const json::object& volume);
  bool wantsProvisioning(const json::object& claim, json::object& storageClass) const;

  client::RestClient& client_;
  client::InformerFactory& informers_;
  client::Informer& claims_;
  client::Informer& volumes_;
  client::Informer& classes_;
  client::Informer& nodes_;
  boost::asio::any_io_executor executor_;
  LocalPathOptions options_;
  client::WorkQueue queue_;
  EventRecorder recorder_;
};

}  // namespace kcpp::controllers
