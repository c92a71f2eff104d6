#pragma once
// The Job controller (upstream pkg/controller/job, as of v1.33): runs a Job's
// pods to completion. It creates pods from the template (up to parallelism, no
// more than the completions left), each carrying the batch.kubernetes.io/job-tracking
// finalizer; a finished pod's uid is first recorded in status.uncountedTerminatedPods,
// then its finalizer removed, then it is moved into status.succeeded / failed,
// so every pod is counted exactly once even if it is deleted meanwhile.
// Failed pods are replaced after a backoff (10 s doubling, capped at 10 min);
// more than backoffLimit failures, or activeDeadlineSeconds passed, fail the
// Job (FailureTarget, then Failed once its pods are gone) and its active pods
// are deleted. Indexed Jobs give each pod a completion index (annotation,
// label, JOB_COMPLETION_INDEX, hostname <job>-<index>) and report
// status.completedIndexes. spec.suspend deletes active pods (condition
// Suspended). Success adds SuccessCriteriaMet, then Complete.
// podFailurePolicy rules (FailJob, Ignore, Count) decide what a failed pod
// does. Jobs whose spec.managedBy names another controller are left alone.
// Indexed Jobs with backoffLimitPerIndex count failures per index (the
// batch.kubernetes.io/job-index-failure-count annotation of each new pod):
// an index that fails more often (or whose pod matches a FailIndex rule) is
// failed for good and listed in status.failedIndexes; more than
// maxFailedIndexes of them fail the Job (MaxFailedIndexesExceeded), and once
// every index has succeeded or failed, failed ones fail it (FailedIndexes).
// successPolicy rules (succeededIndexes / succeededCount) end a Job early:
// SuccessCriteriaMet (reason SuccessPolicy), its other pods are deleted, then
// Complete. Not implemented: adopting orphan pods that match a Job's
// selector, per-index backoff delays (the Job-wide one applies).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <map>
#include <memory>
#include <set>
#include <string>

#include "client/informer/informer_factory.h"
#include "client/rest/rest_client.h"
#include "client/workqueue/work_queue.h"
#include "controllers/common/clock.h"
#include "controllers/common/controller.h"
#include "controllers/common/controller_utils.h"
#include "controllers/common/event_recorder.h"
#include "controllers/common/expectations.h"
#include "controllers/job/job_conditions.h"

namespace kcpp::controllers {

namespace json = boost::json;

inline constexpr const char* kJobTrackingFinalizer = "batch.kubernetes.io/job-tracking";

struct JobControllerOptions {
  int workers = 5;  // upstream's --concurrent-job-syncs
  std::chrono::milliseconds podFailureBackoff{10000};  // DefaultJobPodFailureBackOff
  std::chrono::milliseconds maxPodFailureBackoff{600000};  // MaxJobPodFailureBackOff
  int maxPodCreateDeletePerSync = 500;
  ClockPtr clock = realClock();
};

class JobController : public Controller {
 public:
  JobController(client::RestClient& client, client::InformerFactory& informers,
                boost::asio::any_io_executor executor, JobControllerOptions options = {});

  boost::asio::awaitable<void> run() override;
  void stop() override { queue_.shutDown(); }

 private:
  // What one sync knows about a Job and its pods.
  struct SyncState;
  // Failures since the last success, for the pod-failure backoff.
  struct BackoffRecord {
    int failuresAfterLastSuccess = 0;
    Clock::TimePoint lastFailure;
  };

  void registerHandlers();
  void onPodEvent(const client::ObjectPtr& pod);
  void onPodUpdated(const client::ObjectPtr& oldPod, const client::ObjectPtr& newPod);
  void onPodDeleted(const client::ObjectPtr& pod);
  void onJobDeleted(const client::ObjectPtr& job);
  client::ObjectPtr jobOf(const json::object& pod) const;
  void enqueueOrphan(const json::object& pod);

  boost::asio::awaitable<Result<void>> sync(const std::string& key);
  bool statusIsStale(const std::string& key, const json::object& cached) const;
  boost::asio::awaitable<Result<void>> syncJob(const std::string& key, json::object job);
  void classifyPods(SyncState& s);
  void decideFailure(SyncState& s);
  boost::asio::awaitable<Result<void>> manageJob(SyncState& s);
  void decideSuccess(SyncState& s);
  boost::asio::awaitable<Result<void>> trackStatus(SyncState& s);
  json::object buildStatus(const SyncState& s) const;
  boost::asio::awaitable<Result<void>> writeStatus(SyncState& s, json::object status);
  void recordFinished(const SyncState& s);

  // job_pods.cpp: the writes to pods.
  boost::asio::awaitable<Result<void>> createPods(SyncState& s, int count);
  boost::asio::awaitable<Result<void>> deletePods(SyncState& s, const std::vector<PodPtr>& pods);
  // The uids whose finalizer is now gone.
  boost::asio::awaitable<Result<std::set<std::string>>> removeFinalizers(
      const std::string& key, const std::vector<PodPtr>& pods);
  boost::asio::awaitable<Result<void>> releaseOrphan(const std::string& podKey);
  json::object podForIndex(const json::object& job, std::optional<std::int64_t> index,
                           std::int64_t indexFailures = 0) const;

  client::RestClient& client_;
  client::Informer& jobs_;
  client::Informer& pods_;
  client::InformerFactory& informers_;
  boost::asio::any_io_executor executor_;
  JobControllerOptions options_;
  client::WorkQueue queue_;
  ControllerExpectations expectations_;
  // Per Job key: uids whose finalizer removal has been written but not yet
  // seen in the pod cache (upstream's uidTrackingExpectations).
  std::map<std::string, std::set<std::string>> finalizersRemoved_;
  std::map<std::string, BackoffRecord> backoff_;
  // Per Job key: the resourceVersion of the status this controller last wrote.
  // A cached Job older than that holds counts that are out of date; syncing
  // it could start pods for completions already counted, so it waits for the
  // watch to catch up (kcpp's resourceVersions are store revisions, ordered).
  std::map<std::string, std::uint64_t> writtenRevision_;
  EventRecorder events_;
};

}  // namespace kcpp::controllers
