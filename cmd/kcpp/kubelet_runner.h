#pragma once
// KubeletRunner: the kubelet on an io_context of its own (a process of its own
// for `kcpp kubelet` / `kcpp agent`, a thread of `kcpp server`). It wires the
// node side (NodeStatusManager, the API and file pod sources merged by
// PodConfig, MirrorPodManager) to a PodRuntime, the pod-running side.
//
// Until the pod-running pieces land, the PodRuntime is NodeOnlyRuntime: it
// logs the pod updates and reports the node NotReady with upstream's
// "container runtime status check may not have completed yet". The Kubelet
// class (src/kubelet/kubelet.h) plugs in through `PodRuntimeFactory`.

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <optional>

#include "client/rest/rest_client.h"
#include "kubelet/config/api_source.h"
#include "kubelet/config/mirror_pods.h"
#include "kubelet/config/pod_config.h"
#include "kubelet/config/pod_runtime.h"
#include "kubelet/config/static_pods.h"
#include "kubelet/nodestatus/node_status_manager.h"
#include "kubelet_command.h"
#include "pki/kubeconfig.h"

namespace kcpp::cmd {

// What a PodRuntime is built from.
struct KubeletContext {
  const KubeletConfig& config;
  boost::asio::any_io_executor executor;
  client::RestClient& client;
  const kubelet::MirrorPodLookup& mirrorPods;
};
using PodRuntimeFactory = std::function<std::unique_ptr<kubelet::PodRuntime>(const KubeletContext&)>;

// The PodRuntime of a kubelet that runs no pods yet.
std::unique_ptr<kubelet::PodRuntime> makeNodeOnlyRuntime(const KubeletContext& context);

class KubeletRunner {
 public:
  // `labeler`: credentials allowed to label the Node (the server's own), for
  // config.serverAppliedLabels.
  KubeletRunner(KubeletConfig config, pki::Kubeconfig kubeconfig, std::optional<pki::Kubeconfig> labeler = {},
                PodRuntimeFactory runtime = makeNodeOnlyRuntime);

  // Checks the flags, builds the clients and the parts; the message says what is wrong.
  Result<void> init();
  // Runs until requestStop(); the exit code.
  int run();
  // Thread-safe.
  void requestStop();

 private:
  void onStaticPods(std::vector<boost::json::object> pods);
  boost::asio::awaitable<void> applyServerLabels();

  KubeletConfig config_;
  pki::Kubeconfig kubeconfig_;
  std::optional<pki::Kubeconfig> labelerKubeconfig_;
  PodRuntimeFactory runtimeFactory_;
  boost::asio::io_context io_;
  client::RestClientPtr client_;
  client::RestClientPtr labeler_;
  std::unique_ptr<kubelet::config::MirrorPodManager> mirrorPods_;
  std::unique_ptr<kubelet::PodRuntime> runtime_;
  std::unique_ptr<kubelet::config::PodConfig> podConfig_;
  std::unique_ptr<kubelet::config::FileSource> fileSource_;
  std::unique_ptr<kubelet::config::ApiSource> apiSource_;
  std::unique_ptr<kubelet::nodestatus::NodeStatusManager> nodeStatus_;
};

}  // namespace kcpp::cmd
