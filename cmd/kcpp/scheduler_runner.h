#pragma once
// SchedulerRunner: upstream's kube-scheduler in one process (`kcpp scheduler`)
// or one thread of `kcpp server`, talking to the API server only through a
// kubeconfig; leader election on the kube-system/kube-scheduler Lease keeps one
// active instance.

#include <boost/asio/io_context.hpp>

#include <memory>

#include "client/informer/informer_factory.h"
#include "client/leaderelection/leader_elector.h"
#include "client/rest/rest_client.h"
#include "leader_election.h"
#include "embedding.h"
#include "pki/kubeconfig.h"
#include "scheduler/config/scheduler_config.h"
#include "scheduler/scheduler.h"
#include "scheduler_command.h"

namespace kcpp::cmd {

class SchedulerRunner {
 public:
  // `transport`: as ControllerManager's.
  SchedulerRunner(SchedulerConfig flags, scheduler::config::SchedulerConfiguration settings,
                  pki::Kubeconfig kubeconfig, Embedding embedding = {});

  // Builds the client and the scheduler; the message says what is wrong.
  Result<void> init();
  // Runs until requestStop() or a lost lease; the process exit code.
  int run();
  // Thread-safe: stops scheduling and releases the lease; run() returns soon after.
  void requestStop();

 private:
  SchedulerConfig flags_;
  scheduler::config::SchedulerConfiguration settings_;
  pki::Kubeconfig kubeconfig_;
  Embedding embedding_;
  boost::asio::io_context io_;
  client::RestClientPtr client_;
  std::unique_ptr<client::InformerFactory> informers_;
  scheduler::SchedulerPtr scheduler_;
  std::unique_ptr<client::LeaderElector> elector_;
  Leadership leadership_;
};

}  // namespace kcpp::cmd
