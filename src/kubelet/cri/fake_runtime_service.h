#pragma once
// FakeRuntimeService: an in-memory CRI runtime for tests of the kubelet's pieces
// (pod workers, probes, status) without containerd. It implements both
// RuntimeService and ImageService, records every call by RPC name, keeps
// sandboxes, containers and images with their states as containerd would, and
// lets a test inject errors, make containers exit (crash, OOM) and script
// ExecSync answers.
//
// Behaviour follows containerd's CRI plugin where tests can tell: unknown ids are
// NotFound (except Remove*, which are idempotent), CreateContainer needs a ready
// sandbox and a present image, image references are normalised
// ("busybox" → "docker.io/library/busybox:latest"), exit reasons are
// "Completed" (0), "Error" or "OOMKilled". Calls never suspend.
// Thread-safe: tests may call its helpers from another thread.

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "kubelet/cri/runtime_service.h"

namespace kcpp::kubelet::cri {

class FakeRuntimeService : public RuntimeService, public ImageService {
 public:
  using ExecHandler = std::function<v1::ExecSyncResponse(const v1::ContainerStatus&, const v1::ExecSyncRequest&)>;

  FakeRuntimeService();

  // ---- Test controls ----------------------------------------------------------
  // The next `times` calls of `rpc` ("RunPodSandbox", "PullImage", ...) fail with
  // `error`; times < 0: every call until clearErrors().
  void injectError(const std::string& rpc, Error error, int times = 1);
  void clearErrors();
  // Every call so far, by RPC name, in order.
  std::vector<std::string> calls() const;
  int callCount(const std::string& rpc) const;
  void clearCalls();

  // Images present without a pull (as imported archives are).
  void addImage(const std::string& ref, std::uint64_t size = 1 << 20);
  // A running container exits now (a crash, or reason "OOMKilled").
  void exitContainer(const std::string& containerId, int exitCode, const std::string& reason = "");
  // Containers with this name exit with `exitCode` as soon as they start.
  void exitOnStart(const std::string& containerName, int exitCode, const std::string& reason = "");
  // StopContainer's exit code (default 143: the process died of SIGTERM).
  void setStopExitCode(int exitCode);
  // ExecSync's answer (default: exit code 0, no output).
  void setExecHandler(ExecHandler handler);
  // Snapshots. New sandboxes get pod IPs 10.88.0.2, .3, ...
  std::vector<v1::PodSandboxStatus> sandboxes() const;
  std::vector<v1::ContainerStatus> containers() const;
  std::optional<v1::ContainerStatus> findContainer(const std::string& sandboxId, const std::string& name) const;

  // Reference normalisation as containerd does it (docker.io/library/..., :latest).
  static std::string normaliseImageRef(const std::string& ref);

  // ---- RuntimeService ---------------------------------------------------------
  Awaitable<Result<v1::VersionResponse>> version(const v1::VersionRequest& req) override;
  Awaitable<Result<v1::StatusResponse>> status(const v1::StatusRequest& req) override;
  Awaitable<Result<v1::UpdateRuntimeConfigResponse>> updateRuntimeConfig(
      const v1::UpdateRuntimeConfigRequest& req) override;
  Awaitable<Result<v1::RunPodSandboxResponse>> runPodSandbox(const v1::RunPodSandboxRequest& req) override;
  Awaitable<Result<v1::StopPodSandboxResponse>> stopPodSandbox(const v1::StopPodSandboxRequest& req) override;
  Awaitable<Result<v1::RemovePodSandboxResponse>> removePodSandbox(const v1::RemovePodSandboxRequest& req) override;
  Awaitable<Result<v1::PodSandboxStatusResponse>> podSandboxStatus(const v1::PodSandboxStatusRequest& req) override;
  Awaitable<Result<v1::ListPodSandboxResponse>> listPodSandbox(const v1::ListPodSandboxRequest& req) override;
  Awaitable<Result<v1::CreateContainerResponse>> createContainer(const v1::CreateContainerRequest& req) override;
  Awaitable<Result<v1::StartContainerResponse>> startContainer(const v1::StartContainerRequest& req) override;
  Awaitable<Result<v1::StopContainerResponse>> stopContainer(const v1::StopContainerRequest& req) override;
  Awaitable<Result<v1::RemoveContainerResponse>> removeContainer(const v1::RemoveContainerRequest& req) override;
  Awaitable<Result<v1::ListContainersResponse>> listContainers(const v1::ListContainersRequest& req) override;
  Awaitable<Result<v1::ContainerStatusResponse>> containerStatus(const v1::ContainerStatusRequest& req) override;
  Awaitable<Result<v1::UpdateContainerResourcesResponse>> updateContainerResources(
      const v1::UpdateContainerResourcesRequest& req) override;
  Awaitable<Result<v1::ReopenContainerLogResponse>> reopenContainerLog(
      const v1::ReopenContainerLogRequest& req) override;
  Awaitable<Result<v1::ExecSyncResponse>> execSync(const v1::ExecSyncRequest& req) override;
  Awaitable<Result<v1::ExecResponse>> exec(const v1::ExecRequest& req) override;
  Awaitable<Result<v1::AttachResponse>> attach(const v1::AttachRequest& req) override;
  Awaitable<Result<v1::PortForwardResponse>> portForward(const v1::PortForwardRequest& req) override;
  Awaitable<Result<v1::ContainerStatsResponse>> containerStats(const v1::ContainerStatsRequest& req) override;
  Awaitable<Result<v1::ListContainerStatsResponse>> listContainerStats(
      const v1::ListContainerStatsRequest& req) override;
  Awaitable<Result<v1::PodSandboxStatsResponse>> podSandboxStats(const v1::PodSandboxStatsRequest& req) override;
  Awaitable<Result<v1::ListPodSandboxStatsResponse>> listPodSandboxStats(
      const v1::ListPodSandboxStatsRequest& req) override;

  // ---- ImageService -----------------------------------------------------------
  Awaitable<Result<v1::ListImagesResponse>> listImages(const v1::ListImagesRequest& req) override;
  Awaitable<Result<v1::ImageStatusResponse>> imageStatus(const v1::ImageStatusRequest& req) override;
  Awaitable<Result<v1::PullImageResponse>> pullImage(const v1::PullImageRequest& req) override;
  Awaitable<Result<v1::RemoveImageResponse>> removeImage(const v1::RemoveImageRequest& req) override;
  Awaitable<Result<v1::ImageFsInfoResponse>> imageFsInfo(const v1::ImageFsInfoRequest& req) override;

 private:
  struct Sandbox {
    v1::PodSandboxStatus status;
    v1::PodSandboxConfig config;
  };
  struct ExitRule {
    int exitCode;
    std::string reason;
  };

  // Records the call and returns the injected error, if any. Caller holds mu_.
  std::optional<Error> enter(const char* rpc);
  std::string nextId(const char* prefix);
  const v1::Image* findImage(const std::string& ref) const;
  void exitLocked(v1::ContainerStatus& c, int exitCode, const std::string& reason);
  v1::ContainerStats statsOf(const v1::ContainerStatus& c) const;

  mutable std::mutex mu_;
  std::vector<std::string> calls_;
  std::map<std::string, std::vector<std::pair<Error, int>>> errors_;
  std::map<std::string, Sandbox> sandboxes_;
  std::map<std::string, v1::ContainerStatus> containers_;
  std::map<std::string, std::string> containerSandbox_;  // container id → sandbox id
  std::map<std::string, v1::Image> images_;              // by image id
  std::map<std::string, ExitRule> exitOnStart_;
  ExecHandler execHandler_;
  int stopExitCode_ = 143;
  int nextId_ = 0;
  int nextIp_ = 2;
};

}  // namespace kcpp::kubelet::cri
