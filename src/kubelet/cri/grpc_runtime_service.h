#pragma once
// GrpcRuntimeService: the CRI client over gRPC, talking to containerd (or any CRI
// runtime) on a unix socket, as upstream's remote runtime/image services do.
//
// Asynchronous end to end: every RPC is started on one gRPC CompletionQueue
// polled by one thread owned by this object; when a call completes, its
// coroutine resumes on the executor it was awaited from (never on the poller
// thread). Deadlines as upstream's kubelet: --runtime-request-timeout (2 min) for
// every call, except PullImage (no deadline unless imagePullTimeout is set) and
// ExecSync (its own timeout plus the request timeout; none when it has none).
//
// Destroy it before the io_context its callers run on: the destructor cancels
// calls still in flight and joins the poller.

#include <chrono>
#include <memory>
#include <string>

#include "kubelet/cri/runtime_service.h"

namespace kcpp::kubelet::cri {

struct GrpcClientOptions {
  std::chrono::milliseconds runtimeRequestTimeout{std::chrono::minutes(2)};
  std::chrono::milliseconds imagePullTimeout{0};  // 0: none (upstream sets none)
  int maxMessageBytes = 16 * 1024 * 1024;           // upstream's maxMsgSize
};

// "unix:///run/containerd/containerd.sock"; a bare absolute path means the same.
// Error (BadRequest) for any other scheme: the kubelet speaks CRI on unix sockets.
Result<std::string> normaliseCriEndpoint(const std::string& endpoint);

class GrpcRuntimeService final : public RuntimeService, public ImageService {
 public:
  // Connects lazily: a runtime that is not up yet makes calls fail with
  // ServiceUnavailable until it is.
  static Result<std::unique_ptr<GrpcRuntimeService>> connect(const std::string& endpoint,
                                                             const GrpcClientOptions& options = {});
  // Use connect(); Impl is private to the .cpp.
  struct Impl;
  explicit GrpcRuntimeService(std::unique_ptr<Impl> impl);
  ~GrpcRuntimeService() override;
  GrpcRuntimeService(const GrpcRuntimeService&) = delete;
  GrpcRuntimeService& operator=(const GrpcRuntimeService&) = delete;

  const std::string& endpoint() const;

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
  std::unique_ptr<Impl> impl_;
};
using GrpcRuntimeServicePtr = std::unique_ptr<GrpcRuntimeService>;

}  // namespace kcpp::kubelet::cri
