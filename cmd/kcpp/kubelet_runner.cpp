#include "kubelet_runner.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "sim/sim_node.h"
#include "sim/sim_pod.h"
#include "util/sleep.h"

namespace kcpp::cmd {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

class NodeOnlyRuntime : public kubelet::PodRuntime {
 public:
  void handlePodUpdate(const kubelet::config::PodUpdate& update) override {
    for (const auto& pod : update.pods) {
      spdlog::info("kubelet: {} pod {} from {} (no container runtime yet: not run)",
                   kubelet::config::operationName(update.op), kubelet::config::podFullName(pod), update.source);
    }
  }
  kubelet::nodestatus::NodeHealth health() const override {
    kubelet::nodestatus::NodeHealth h;
    h.notReadyReasons.push_back(kubelet::nodestatus::kRuntimeNotCheckedYet);
    return h;
  }
  std::string containerRuntimeVersion() const override { return ""; }
  asio::awaitable<void> run() override { co_return; }
  void stop() override {}
};

}  // namespace

std::unique_ptr<kubelet::PodRuntime> makeNodeOnlyRuntime(const KubeletContext&) {
  return std::make_unique<NodeOnlyRuntime>();
}

KubeletRunner::KubeletRunner(KubeletConfig config, pki::Kubeconfig kubeconfig,
                             std::optional<pki::Kubeconfig> labeler, PodRuntimeFactory runtime)
    : config_(std::move(config)),
      kubeconfig_(std::move(kubeconfig)),
      labelerKubeconfig_(std::move(labeler)),
      runtimeFactory_(std::move(runtime)) {}

Result<void> KubeletRunner::init() {
  namespace ns = kubelet::nodestatus;
  ns::NodeStatusOptions options;
  options.nodeName = config_.nodeName;
  options.nodeIP = config_.nodeIp;
  options.kubeletPort = config_.port;
  options.maxPods = config_.maxPods;
  options.kubeletVersion = config_.kubeletVersion;
  options.machine.dataDir = config_.dataDir;
  auto kubeReserved = ns::parseResourceList(config_.kubeReserved);
  if (!kubeReserved) return makeError(Reason::BadRequest, "--kube-reserved: " + kubeReserved.error().message);
  auto systemReserved = ns::parseResourceList(config_.systemReserved);
  if (!systemReserved) return makeError(Reason::BadRequest, "--system-reserved: " + systemReserved.error().message);
  options.reservations.kubeReserved = std::move(*kubeReserved);
  options.reservations.systemReserved = std::move(*systemReserved);
  std::string error;
  std::string labelText, taintText;
  for (const auto& l : config_.nodeLabels) labelText += (labelText.empty() ? "" : ",") + l;
  for (const auto& t : config_.registerWithTaints) taintText += (taintText.empty() ? "" : ",") + t;
  auto labels = sim::parseLabels(labelText, error);
  if (!labels) return makeError(Reason::BadRequest, "--node-labels: " + error);
  options.labels = std::move(*labels);
  auto taints = sim::parseTaints(taintText, error);
  if (!taints) return makeError(Reason::BadRequest, "--register-with-taints: " + error);
  options.taints = std::move(*taints);
  auto update = sim::parseDuration(config_.nodeStatusUpdateFrequency);
  auto report = sim::parseDuration(config_.nodeStatusReportFrequency);
  auto fileCheck = sim::parseDuration(config_.fileCheckFrequency);
  if (!update || *update <= 0ms) return makeError(Reason::BadRequest, "--node-status-update-frequency: invalid duration");
  if (!report || *report <= 0ms) return makeError(Reason::BadRequest, "--node-status-report-frequency: invalid duration");
  if (!fileCheck || *fileCheck <= 0ms) return makeError(Reason::BadRequest, "--file-check-frequency: invalid duration");
  options.statusUpdateFrequency = *update;
  options.statusReportFrequency = *report;

  client::ClientOptions clientOptions;
  clientOptions.userAgent = "kcpp-kubelet";
  clientOptions.qps = config_.kubeApiQps;
  clientOptions.burst = config_.kubeApiBurst;
  auto restClient = client::RestClient::create(io_.get_executor(), kubeconfig_, clientOptions);
  if (!restClient) return makeError(Reason::BadRequest, "client: " + restClient.error().message);
  client_ = std::move(*restClient);
  if (labelerKubeconfig_) {
    auto labeler = client::RestClient::create(io_.get_executor(), *labelerKubeconfig_, clientOptions);
    if (!labeler) return makeError(Reason::BadRequest, "client: " + labeler.error().message);
    labeler_ = std::move(*labeler);
  }

  mirrorPods_ = std::make_unique<kubelet::config::MirrorPodManager>(
      *client_, io_.get_executor(), config_.nodeName, [this] { return nodeStatus_ ? nodeStatus_->nodeUid() : ""; });
  KubeletContext context{config_, io_.get_executor(), *client_, *mirrorPods_};
  runtime_ = runtimeFactory_(context);
  podConfig_ = std::make_unique<kubelet::config::PodConfig>(*runtime_);
  fileSource_ = std::make_unique<kubelet::config::FileSource>(
      io_.get_executor(), config_.podManifestPath, config_.nodeName,
      [this](std::vector<json::object> pods) { onStaticPods(std::move(pods)); }, *fileCheck);
  apiSource_ = std::make_unique<kubelet::config::ApiSource>(
      *client_, config_.nodeName,
      [this](std::vector<json::object> pods) { podConfig_->setPods(kubelet::config::kApiSource, std::move(pods)); },
      [this](std::vector<json::object> mirrors) { mirrorPods_->setMirrorPods(mirrors); });
  ns::NodeStatusCallbacks callbacks;
  callbacks.health = [this] { return runtime_->health(); };
  callbacks.containerRuntimeVersion = [this] { return runtime_->containerRuntimeVersion(); };
  callbacks.onRegistered = [this] {
    mirrorPods_->nodeRegistered();
    if (labeler_ && !config_.serverAppliedLabels.empty()) asio::co_spawn(io_, applyServerLabels(), asio::detached);
  };
  nodeStatus_ = std::make_unique<ns::NodeStatusManager>(*client_, io_.get_executor(), std::move(options),
                                                        std::move(callbacks));
  return {};
}

void KubeletRunner::onStaticPods(std::vector<json::object> pods) {
  podConfig_->setPods(kubelet::config::kFileSource, std::move(pods));
  // The mirrors copy the pods as PodConfig annotated them (config.source, config.seen).
  std::vector<json::object> staticPods;
  for (auto& pod : podConfig_->pods()) {
    if (kubelet::config::isStaticPod(pod)) staticPods.push_back(std::move(pod));
  }
  mirrorPods_->setStaticPods(staticPods);
}

asio::awaitable<void> KubeletRunner::applyServerLabels() {
  json::object labels;
  for (const auto& [k, v] : config_.serverAppliedLabels) labels[k] = v;
  json::object patch{{"metadata", json::object{{"labels", std::move(labels)}}}};
  std::string body = json::serialize(patch);
  client::ResourcePath path{"", "v1", "nodes", "", config_.nodeName, "", ""};
  const std::string contentType = "application/merge-patch+json";
  for (int attempt = 0; attempt < 30; ++attempt) {
    auto patched = co_await labeler_->patch(path, contentType, body);
    if (patched) co_return;
    spdlog::warn("server: labelling node {}: {}", config_.nodeName, patched.error().message);
    co_await sleepFor(1s);
  }
}

int KubeletRunner::run() {
  spdlog::info("kubelet: node {}, static pods from {}", config_.nodeName, config_.podManifestPath);
  asio::co_spawn(io_, runtime_->run(), asio::detached);
  asio::co_spawn(io_, mirrorPods_->run(), asio::detached);
  asio::co_spawn(io_, fileSource_->run(), asio::detached);
  asio::co_spawn(io_, apiSource_->run(), asio::detached);
  asio::co_spawn(io_, nodeStatus_->run(), asio::detached);
  auto guard = asio::make_work_guard(io_);
  io_.run();
  return 0;
}

void KubeletRunner::requestStop() {
  asio::post(io_, [this] {
    nodeStatus_->stop();
    apiSource_->stop();
    fileSource_->stop();
    mirrorPods_->stop();
    runtime_->stop();
    auto timer = std::make_shared<asio::steady_timer>(io_, 200ms);
    timer->async_wait([this, timer](boost::system::error_code) { io_.stop(); });
  });
}

}  // namespace kcpp::cmd
