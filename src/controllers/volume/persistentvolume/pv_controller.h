#pragma once
// The PersistentVolume binder (upstream pkg/controller/volume/persistentvolume,
// controller "persistentvolume-binder", events as "persistentvolume-controller").
//
// Claims: an unbound claim is bound to the volume pre-bound to it or to the
// smallest Available volume that satisfies it (class, volume mode, access
// modes, size, selector); spec.volumeName pre-binds it to one volume. Without a
// match it stays Pending: FailedBinding without a class; with a class whose
// volumeBindingMode is WaitForFirstConsumer, WaitForFirstConsumer until the
// claim has volume.kubernetes.io/selected-node; then (or with Immediate
// binding) it is annotated for the class's provisioner (ExternalProvisioning).
// A bound claim whose volume is gone or taken is Lost.
// Volumes: Available when free, Bound while their claim exists, Released when
// it is deleted; then Retain keeps them, Delete deletes volumes kcpp did not
// provision (provisioned ones are the provisioner's to delete), Recycle fails.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "client/informer/informer_factory.h"
#include "client/rest/rest_client.h"
#include "client/workqueue/work_queue.h"
#include "controllers/common/controller.h"
#include "controllers/common/event_recorder.h"

namespace kcpp::controllers {

namespace json = boost::json;

struct PersistentVolumeOptions {
  int workers = 1;  // upstream runs one claim and one volume worker
  // --pvclaimbinder-sync-period: every claim and volume is synced again this often.
  std::chrono::milliseconds syncPeriod{15000};
};

class PersistentVolumeController : public Controller {
 public:
  PersistentVolumeController(client::RestClient& client, client::InformerFactory& informers,
                             boost::asio::any_io_executor executor, PersistentVolumeOptions options = {});

  boost::asio::awaitable<void> run() override;
  void stop() override;

  // Keys are "claim:<ns>/<name>" or "volume:<name>".
  boost::asio::awaitable<Result<void>> sync(const std::string& key);

 private:
  void enqueueClaim(const json::object& claim);
  void enqueueVolume(const std::string& name);
  void enqueuePendingClaims();
  // Re-enqueues everything every syncPeriod until stop(), as upstream's resync.
  boost::asio::awaitable<void> resync();

  boost::asio::awaitable<Result<void>> syncClaim(const json::object& claim);
  boost::asio::awaitable<Result<void>> syncUnboundClaim(const json::object& claim);
  boost::asio::awaitable<Result<void>> syncBoundClaim(const json::object& claim);
  boost::asio::awaitable<Result<void>> syncVolume(const json::object& volume);
  boost::asio::awaitable<Result<void>> reclaimVolume(const json::object& volume);
  // Claim has no match: says why and, with a class, asks its provisioner.
  boost::asio::awaitable<Result<void>> claimWithoutVolume(const json::object& claim, bool delayBinding,
                                                          bool nodeSelected);

  // Binds both sides: claimRef + Bound on the volume, volumeName +
  // annotations + Bound (with capacity and access modes) on the claim.
  boost::asio::awaitable<Result<void>> bind(const json::object& volume, const json::object& claim);
  boost::asio::awaitable<Result<json::object>> updateVolumePhase(const json::object& volume,
                                                                const std::string& phase,
                                                                const std::string& message);
  boost::asio::awaitable<Result<json::object>> updateClaimPhase(const json::object& claim,
                                                               const std::string& phase,
                                                               const json::object* volume);
  // The server's copy of a claim (cache may lag behind a deletion): nullopt when gone.
  boost::asio::awaitable<Result<std::optional<json::object>>> freshClaim(const std::string& ns,
                                                                        const std::string& name);

  // One event per object and reason in a row (the sync loop repeats itself).
  void event(const json::object& object, const std::string& kind, const std::string& type,
             const std::string& reason, const std::string& message);

  client::RestClient& client_;
  client::InformerFactory& informers_;
  client::Informer& claims_;
  client::Informer& volumes_;
  client::Informer& classes_;
  client::Informer& nodes_;
  boost::asio::any_io_executor executor_;
  PersistentVolumeOptions options_;
  client::WorkQueue queue_;
  EventRecorder recorder_;
  std::map<std::string, std::string> lastEvent_;  // uid -> reason
  std::shared_ptr<boost::asio::steady_timer> timer_;
  bool stopped_ = false;
};

}  // namespace kcpp::controllers
