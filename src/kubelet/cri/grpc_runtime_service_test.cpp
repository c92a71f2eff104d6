// The gRPC client against an in-process CRI server on a unix socket: results,
// error mapping end to end, deadlines, resumption on the caller's executor,
// concurrency, an absent runtime and shutdown with calls in flight.
#include "kubelet/cri/grpc_runtime_service.h"

#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <filesystem>
#include <thread>

#include "cri/api.grpc.pb.h"
#include "kubelet/cri/grpc_status.h"
#include "util/run_to_completion.h"

namespace kcpp::kubelet::cri {
namespace {
namespace asio = boost::asio;
namespace fs = std::filesystem;

class TestRuntime final : public ::runtime::v1::RuntimeService::Service {
 public:
  grpc::Status Version(grpc::ServerContext*, const v1::VersionRequest* req, v1::VersionResponse* resp) override {
    resp->set_version(req->version());
    resp->set_runtime_name("test");
    resp->set_runtime_api_version("v1");
    return grpc::Status::OK;
  }
  grpc::Status ContainerStatus(grpc::ServerContext*, const v1::ContainerStatusRequest* req,
                               v1::ContainerStatusResponse*) override {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        "an error occurred when try to find container \"" + req->container_id() + "\": not found");
  }
  // Slow: answers after 2 s unless the call is cancelled first.
  grpc::Status Status(grpc::ServerContext* ctx, const v1::StatusRequest*, v1::StatusResponse*) override {
    for (int i = 0; i < 200 && !ctx->IsCancelled(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return grpc::Status::OK;
  }
};

class GrpcRuntimeServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("kcpp-cri-test-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    socket = "unix://" + (dir / "cri.sock").string();
    grpc::ServerBuilder builder;
    builder.AddListeningPort(socket, grpc::InsecureServerCredentials());
    builder.RegisterService(&service);
    server = builder.BuildAndStart();
    ASSERT_TRUE(server);
  }
  void TearDown() override {
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
    fs::remove_all(dir);
  }
  GrpcRuntimeServicePtr client(GrpcClientOptions options = {}) {
    auto c = GrpcRuntimeService::connect(socket, options);
    EXPECT_TRUE(c.ok());
    return std::move(c).value();
  }

  fs::path dir;
  std::string socket;
  TestRuntime service;
  std::unique_ptr<grpc::Server> server;
  asio::io_context io;
};

TEST_F(GrpcRuntimeServiceTest, VersionResumesOnCallersThread) {
  auto cri = client();
  std::thread::id resumedOn;
  auto call = [&]() -> asio::awaitable<Result<v1::VersionResponse>> {
    v1::VersionRequest req;
    req.set_version("v1");
    auto r = co_await cri->version(req);
    resumedOn = std::this_thread::get_id();
    co_return r;
  };
  auto r = runToCompletion(io, call());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->runtime_name(), "test");
  EXPECT_EQ(r->version(), "v1");
  EXPECT_EQ(resumedOn, std::this_thread::get_id());
}

TEST_F(GrpcRuntimeServiceTest, NotFoundIsMapped) {
  auto cri = client();
  v1::ContainerStatusRequest req;
  req.set_container_id("abc");
  auto r = runToCompletion(io, cri->containerStatus(req));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, Reason::NotFound);
  EXPECT_EQ(r.error().message,
            "rpc error: code = NotFound desc = an error occurred when try to find container \"abc\": not found");
}

TEST_F(GrpcRuntimeServiceTest, UnimplementedRpc) {
  auto cri = client();
  v1::ListImagesRequest req;  // no ImageService registered
  auto r = runToCompletion(io, cri->listImages(req));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(isUnimplemented(r.error())) << r.error().message;
}

TEST_F(GrpcRuntimeServiceTest, DeadlineIsTimeout) {
  GrpcClientOptions options;
  options.runtimeRequestTimeout = std::chrono::milliseconds(200);
  auto cri = client(options);
  v1::StatusRequest req;
  auto start = std::chrono::steady_clock::now();
  auto r = runToCompletion(io, cri->status(req));
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, Reason::Timeout);
  EXPECT_LT(took, std::chrono::seconds(1));
}

TEST_F(GrpcRuntimeServiceTest, ManyConcurrentCalls) {
  auto cri = client();
  int ok = 0;
  for (int i = 0; i < 50; ++i) {
    asio::co_spawn(io, [&, i]() -> asio::awaitable<void> {
      v1::VersionRequest req;
      req.set_version(std::to_string(i));
      auto r = co_await cri->version(req);
      if (r && r->version() == std::to_string(i)) ++ok;
    }, asio::detached);
  }
  io.run();
  EXPECT_EQ(ok, 50);
}

TEST_F(GrpcRuntimeServiceTest, AbsentRuntimeIsUnavailable) {
  auto cri = GrpcRuntimeService::connect("unix://" + (dir / "nobody.sock").string()).value();
  v1::VersionRequest req;
  auto r = runToCompletion(io, cri->version(req));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, Reason::ServiceUnavailable) << r.error().message;
}

TEST_F(GrpcRuntimeServiceTest, ShutdownCancelsCallsInFlight) {
  auto cri = client();
  std::optional<Result<v1::StatusResponse>> result;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    v1::StatusRequest req;
    result.emplace(co_await cri->status(req));
  }, asio::detached);
  std::thread runner([&] { io.run(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto start = std::chrono::steady_clock::now();
  cri.reset();  // cancels the slow Status call
  runner.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  ASSERT_TRUE(result.has_value());
  ASSERT_FALSE(result->ok());
  EXPECT_EQ(result->error().reason, Reason::ServiceUnavailable);
}

TEST(CriEndpoint, Normalise) {
  EXPECT_EQ(normaliseCriEndpoint("unix:///run/containerd/containerd.sock").value(),
            "unix:///run/containerd/containerd.sock");
  EXPECT_EQ(normaliseCriEndpoint("/run/k.sock").value(), "unix:///run/k.sock");
  EXPECT_EQ(normaliseCriEndpoint("tcp://127.0.0.1:1234").error().reason, Reason::BadRequest);
  EXPECT_FALSE(normaliseCriEndpoint("").ok());
}

}  // namespace
}  // namespace kcpp::kubelet::cri
