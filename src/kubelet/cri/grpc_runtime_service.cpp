#include "kubelet/cri/grpc_runtime_service.h"

#include <grpcpp/grpcpp.h>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <mutex>
#include <set>
#include <thread>

#include "cri/api.grpc.pb.h"
#include "kubelet/cri/grpc_status.h"

namespace kcpp::kubelet::cri {
namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

// What a CompletionQueue tag points at: one finished call to hand back.
struct Completion {
  virtual ~Completion() = default;
  virtual void complete() = 0;
  grpc::ClientContext* ctx = nullptr;
};

// Resumes the awaiting coroutine on its own executor, and keeps that executor's
// io_context from running out of work while the call is in flight.
template <class Handler>
struct HandlerCompletion final : Completion {
  HandlerCompletion(Handler h, std::shared_ptr<void> state)
      : handler(std::move(h)), work(asio::make_work_guard(handler)), keepAlive(std::move(state)) {}
  void complete() override {
    auto executor = asio::get_associated_executor(handler);
    asio::post(executor, std::move(handler));
  }
  Handler handler;
  asio::executor_work_guard<asio::associated_executor_t<Handler>> work;
  std::shared_ptr<void> keepAlive;  // the call's context and buffers outlive gRPC's use of them
};

template <class Resp>
struct CallState {
  grpc::ClientContext ctx;
  Resp response;
  grpc::Status status;
  std::unique_ptr<grpc::ClientAsyncResponseReader<Resp>> reader;
};

template <class Stub, class Req, class Resp>
using AsyncMethod = std::unique_ptr<grpc::ClientAsyncResponseReader<Resp>> (Stub::*)(
    grpc::ClientContext*, const Req&, grpc::CompletionQueue*);

using RuntimeStub = ::runtime::v1::RuntimeService::Stub;
using ImageStub = ::runtime::v1::ImageService::Stub;

}  // namespace

struct GrpcRuntimeService::Impl {
  std::string endpoint;
  GrpcClientOptions options;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<RuntimeStub> runtime;
  std::unique_ptr<ImageStub> image;
  grpc::CompletionQueue cq;
  std::mutex mu;
  std::set<grpc::ClientContext*> inflight;
  bool shuttingDown = false;
  std::thread poller;

  void poll() {
    void* tag = nullptr;
    bool ok = false;
    while (cq.Next(&tag, &ok)) {
      // gRPC hands the tag back exactly once; it owns the Completion from here.
      std::unique_ptr<Completion> done(static_cast<Completion*>(tag));
      {
        std::lock_guard lock(mu);
        inflight.erase(done->ctx);
      }
      done->complete();
    }
  }

  bool track(grpc::ClientContext* ctx) {
    std::lock_guard lock(mu);
    if (shuttingDown) return false;
    inflight.insert(ctx);
    return true;
  }

  void shutdown() {
    {
      std::lock_guard lock(mu);
      shuttingDown = true;
      for (auto* ctx : inflight) ctx->TryCancel();
    }
    cq.Shutdown();
    if (poller.joinable()) poller.join();
  }

  template <class Resp, class Stub, class Req>
  Awaitable<Result<Resp>> unary(Stub* stub, AsyncMethod<Stub, Req, Resp> method, const Req& req,
                                milliseconds timeout) {
    auto state = std::make_shared<CallState<Resp>>();
    if (timeout.count() > 0) state->ctx.set_deadline(std::chrono::system_clock::now() + timeout);
    auto initiation = [this, state, stub, method, &req](auto handler) {
      auto completion = std::make_unique<HandlerCompletion<decltype(handler)>>(std::move(handler), state);
      completion->ctx = &state->ctx;
      if (!track(&state->ctx)) {
        state->status = grpc::Status(grpc::StatusCode::CANCELLED, "CRI client is shutting down");
        completion->complete();
        return;
      }
      state->reader = (stub->*method)(&state->ctx, req, &cq);
      // The tag is a raw pointer by gRPC's design; poll() takes ownership back.
      state->reader->Finish(&state->response, &state->status, completion.release());
    };
    co_await asio::async_initiate<const asio::use_awaitable_t<>&, void()>(initiation, asio::use_awaitable);
    if (!state->status.ok()) co_return errorFromGrpcStatus(state->status);
    co_return std::move(state->response);
  }

  milliseconds requestTimeout() const { return options.runtimeRequestTimeout; }
};

Result<std::string> normaliseCriEndpoint(const std::string& endpoint) {
  if (endpoint.starts_with("unix://") && endpoint.size() > 7) return endpoint;
  if (endpoint.starts_with("/")) return "unix://" + endpoint;
  return makeError(Reason::BadRequest,
                   "invalid CRI endpoint \"" + endpoint + "\": only unix sockets (unix:///path) are supported");
}

Result<std::unique_ptr<GrpcRuntimeService>> GrpcRuntimeService::connect(const std::string& endpoint,
                                                                        const GrpcClientOptions& options) {
  auto target = normaliseCriEndpoint(endpoint);
  if (!target) return std::move(target).error();
  auto impl = std::make_unique<Impl>();
  impl->endpoint = *target;
  impl->options = options;
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(options.maxMessageBytes);
  args.SetMaxSendMessageSize(options.maxMessageBytes);
  // Upstream's kubelet reconnects with a 100 ms base delay capped at 3 s, so a
  // restarted runtime is picked up quickly (gRPC's default cap is 120 s).
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 3000);
  impl->channel = grpc::CreateCustomChannel(impl->endpoint, grpc::InsecureChannelCredentials(), args);
  impl->runtime = ::runtime::v1::RuntimeService::NewStub(impl->channel);
  impl->image = ::runtime::v1::ImageService::NewStub(impl->channel);
  impl->poller = std::thread([raw = impl.get()] { raw->poll(); });
  return std::make_unique<GrpcRuntimeService>(std::move(impl));
}

GrpcRuntimeService::GrpcRuntimeService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

GrpcRuntimeService::~GrpcRuntimeService() { impl_->shutdown(); }

const std::string& GrpcRuntimeService::endpoint() const { return impl_->endpoint; }

// ---- RuntimeService -----------------------------------------------------------

#define KCPP_CRI_RUNTIME_RPC(method, Rpc)                                                     \
  Awaitable<Result<v1::Rpc##Response>> GrpcRuntimeService::method(const v1::Rpc##Request& req) { \
    return impl_->unary(impl_->runtime.get(), &RuntimeStub::Async##Rpc, req, impl_->requestTimeout()); \
  }

KCPP_CRI_RUNTIME_RPC(version, Version)
KCPP_CRI_RUNTIME_RPC(status, Status)
KCPP_CRI_RUNTIME_RPC(updateRuntimeConfig, UpdateRuntimeConfig)
KCPP_CRI_RUNTIME_RPC(runPodSandbox, RunPodSandbox)
KCPP_CRI_RUNTIME_RPC(stopPodSandbox, StopPodSandbox)
KCPP_CRI_RUNTIME_RPC(removePodSandbox, RemovePodSandbox)
KCPP_CRI_RUNTIME_RPC(podSandboxStatus, PodSandboxStatus)
KCPP_CRI_RUNTIME_RPC(listPodSandbox, ListPodSandbox)
KCPP_CRI_RUNTIME_RPC(createContainer, CreateContainer)
KCPP_CRI_RUNTIME_RPC(startContainer, StartContainer)
KCPP_CRI_RUNTIME_RPC(removeContainer, RemoveContainer)
KCPP_CRI_RUNTIME_RPC(listContainers, ListContainers)
KCPP_CRI_RUNTIME_RPC(containerStatus, ContainerStatus)
KCPP_CRI_RUNTIME_RPC(updateContainerResources, UpdateContainerResources)
KCPP_CRI_RUNTIME_RPC(reopenContainerLog, ReopenContainerLog)
KCPP_CRI_RUNTIME_RPC(exec, Exec)
KCPP_CRI_RUNTIME_RPC(attach, Attach)
KCPP_CRI_RUNTIME_RPC(portForward, PortForward)
KCPP_CRI_RUNTIME_RPC(containerStats, ContainerStats)
KCPP_CRI_RUNTIME_RPC(listContainerStats, ListContainerStats)
KCPP_CRI_RUNTIME_RPC(podSandboxStats, PodSandboxStats)
KCPP_CRI_RUNTIME_RPC(listPodSandboxStats, ListPodSandboxStats)
#undef KCPP_CRI_RUNTIME_RPC

// StopContainer may take its grace period before the runtime answers: upstream
// allows timeout + runtime-request-timeout.
Awaitable<Result<v1::StopContainerResponse>> GrpcRuntimeService::stopContainer(const v1::StopContainerRequest& req) {
  milliseconds timeout = impl_->requestTimeout() + std::chrono::seconds(std::max<std::int64_t>(req.timeout(), 0));
  return impl_->unary(impl_->runtime.get(), &RuntimeStub::AsyncStopContainer, req, timeout);
}

// ExecSync: the command's own timeout plus the request timeout; no deadline
// when the command has none (as upstream).
Awaitable<Result<v1::ExecSyncResponse>> GrpcRuntimeService::execSync(const v1::ExecSyncRequest& req) {
  milliseconds timeout{0};
  if (req.timeout() > 0) timeout = impl_->requestTimeout() + std::chrono::seconds(req.timeout());
  return impl_->unary(impl_->runtime.get(), &RuntimeStub::AsyncExecSync, req, timeout);
}

// ---- ImageService -------------------------------------------------------------

#define KCPP_CRI_IMAGE_RPC(method, Rpc)                                                       \
  Awaitable<Result<v1::Rpc##Response>> GrpcRuntimeService::method(const v1::Rpc##Request& req) { \
    return impl_->unary(impl_->image.get(), &ImageStub::Async##Rpc, req, impl_->requestTimeout()); \
  }

KCPP_CRI_IMAGE_RPC(listImages, ListImages)
KCPP_CRI_IMAGE_RPC(imageStatus, ImageStatus)
KCPP_CRI_IMAGE_RPC(removeImage, RemoveImage)
KCPP_CRI_IMAGE_RPC(imageFsInfo, ImageFsInfo)
#undef KCPP_CRI_IMAGE_RPC

Awaitable<Result<v1::PullImageResponse>> GrpcRuntimeService::pullImage(const v1::PullImageRequest& req) {
  return impl_->unary(impl_->image.get(), &ImageStub::AsyncPullImage, req, impl_->options.imagePullTimeout);
}

}  // namespace kcpp::kubelet::cri
