#pragma once
// The kubelet's view of the container runtime: the two CRI services (runtime.v1
// RuntimeService and ImageService), one method per RPC, named as the RPC in
// lowerCamelCase. Implementations: GrpcRuntimeService (grpc_runtime_service.h,
// containerd or any CRI runtime over a unix socket) and FakeRuntimeService
// (fake_runtime_service.h, in memory, for tests).
//
// Errors: a failed RPC is an Error whose reason follows the gRPC status code
// (NOT_FOUND → NotFound, DEADLINE_EXCEEDED → Timeout, UNAVAILABLE →
// ServiceUnavailable, ...; see grpc_status.h) and whose message is the runtime's.

#include <boost/asio/awaitable.hpp>

#include <memory>

#include "cri/api.pb.h"
#include "util/error.h"

namespace kcpp::kubelet::cri {

namespace v1 = ::runtime::v1;

template <class T>
using Awaitable = boost::asio::awaitable<T>;

class RuntimeService {
 public:
  virtual ~RuntimeService() = default;

  virtual Awaitable<Result<v1::VersionResponse>> version(const v1::VersionRequest& req) = 0;
  virtual Awaitable<Result<v1::StatusResponse>> status(const v1::StatusRequest& req) = 0;
  virtual Awaitable<Result<v1::UpdateRuntimeConfigResponse>> updateRuntimeConfig(
      const v1::UpdateRuntimeConfigRequest& req) = 0;

  // Pod sandboxes.
  virtual Awaitable<Result<v1::RunPodSandboxResponse>> runPodSandbox(const v1::RunPodSandboxRequest& req) = 0;
  virtual Awaitable<Result<v1::StopPodSandboxResponse>> stopPodSandbox(const v1::StopPodSandboxRequest& req) = 0;
  virtual Awaitable<Result<v1::RemovePodSandboxResponse>> removePodSandbox(
      const v1::RemovePodSandboxRequest& req) = 0;
  virtual Awaitable<Result<v1::PodSandboxStatusResponse>> podSandboxStatus(
      const v1::PodSandboxStatusRequest& req) = 0;
  virtual Awaitable<Result<v1::ListPodSandboxResponse>> listPodSandbox(const v1::ListPodSandboxRequest& req) = 0;

  // Containers.
  virtual Awaitable<Result<v1::CreateContainerResponse>> createContainer(const v1::CreateContainerRequest& req) = 0;
  virtual Awaitable<Result<v1::StartContainerResponse>> startContainer(const v1::StartContainerRequest& req) = 0;
  virtual Awaitable<Result<v1::StopContainerResponse>> stopContainer(const v1::StopContainerRequest& req) = 0;
  virtual Awaitable<Result<v1::RemoveContainerResponse>> removeContainer(const v1::RemoveContainerRequest& req) = 0;
  virtual Awaitable<Result<v1::ListContainersResponse>> listContainers(const v1::ListContainersRequest& req) = 0;
  virtual Awaitable<Result<v1::ContainerStatusResponse>> containerStatus(const v1::ContainerStatusRequest& req) = 0;
  virtual Awaitable<Result<v1::UpdateContainerResourcesResponse>> updateContainerResources(
      const v1::UpdateContainerResourcesRequest& req) = 0;
  virtual Awaitable<Result<v1::ReopenContainerLogResponse>> reopenContainerLog(
      const v1::ReopenContainerLogRequest& req) = 0;

  // Exec and streaming: ExecSync runs to completion (its deadline is the
  // request's timeout plus the client's); Exec/Attach/PortForward return the
  // URL of the runtime's streaming server.
  virtual Awaitable<Result<v1::ExecSyncResponse>> execSync(const v1::ExecSyncRequest& req) = 0;
  virtual Awaitable<Result<v1::ExecResponse>> exec(const v1::ExecRequest& req) = 0;
  virtual Awaitable<Result<v1::AttachResponse>> attach(const v1::AttachRequest& req) = 0;
  virtual Awaitable<Result<v1::PortForwardResponse>> portForward(const v1::PortForwardRequest& req) = 0;

  // Stats.
  virtual Awaitable<Result<v1::ContainerStatsResponse>> containerStats(const v1::ContainerStatsRequest& req) = 0;
  virtual Awaitable<Result<v1::ListContainerStatsResponse>> listContainerStats(
      const v1::ListContainerStatsRequest& req) = 0;
  virtual Awaitable<Result<v1::PodSandboxStatsResponse>> podSandboxStats(const v1::PodSandboxStatsRequest& req) = 0;
  virtual Awaitable<Result<v1::ListPodSandboxStatsResponse>> listPodSandboxStats(
      const v1::ListPodSandboxStatsRequest& req) = 0;
};
using RuntimeServicePtr = std::unique_ptr<RuntimeService>;

class ImageService {
 public:
  virtual ~ImageService() = default;

  virtual Awaitable<Result<v1::ListImagesResponse>> listImages(const v1::ListImagesRequest& req) = 0;
  // An absent image is not an error: the response's `image` is unset.
  virtual Awaitable<Result<v1::ImageStatusResponse>> imageStatus(const v1::ImageStatusRequest& req) = 0;
  virtual Awaitable<Result<v1::PullImageResponse>> pullImage(const v1::PullImageRequest& req) = 0;
  virtual Awaitable<Result<v1::RemoveImageResponse>> removeImage(const v1::RemoveImageRequest& req) = 0;
  virtual Awaitable<Result<v1::ImageFsInfoResponse>> imageFsInfo(const v1::ImageFsInfoRequest& req) = 0;
};
using ImageServicePtr = std::unique_ptr<ImageService>;

}  // namespace kcpp::kubelet::cri
