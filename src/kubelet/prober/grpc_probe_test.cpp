// grpc probes against a real gRPC health server on loopback.
#include "kubelet/prober/grpc_probe.h"

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <optional>

#include "kubelet/prober/test_servers.h"

namespace kcpp::kubelet::prober {
namespace {

namespace asio = boost::asio;

using namespace std::chrono_literals;

// grpc.health.v1.Health/Check answering `status` for every service but "other".
class HealthService : public grpc::CallbackGenericService {
 public:
  std::atomic<int> status{1};
  std::atomic<int> calls{0};
  std::string lastService;

  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override {
    // gRPC's callback API: the reactor deletes itself in OnDone.
    return std::make_unique<Reactor>(*this, ctx->method()).release();
  }

 private:
  class Reactor : public grpc::ServerGenericBidiReactor {
   public:
    Reactor(HealthService& service, std::string method) : service_(service), method_(std::move(method)) {
      if (method_ != "/grpc.health.v1.Health/Check") {
        Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "unknown method " + method_));
        return;
      }
      StartRead(&request_);
    }
    void OnReadDone(bool ok) override {
      if (!ok) {
        Finish(grpc::Status::OK);
        return;
      }
      std::vector<grpc::Slice> slices;
      std::string bytes;
      (void)request_.Dump(&slices);
      for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
      // HealthCheckRequest{service}: 0x0a len service.
      std::string service = bytes.size() > 2 ? bytes.substr(2) : "";
      service_.lastService = service;
      ++service_.calls;
      int status = service == "other" ? 3 : service_.status.load();
      grpc::Slice slice(encodeHealthCheckResponse(status));
      response_ = grpc::ByteBuffer(&slice, 1);
      StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
    }
    void OnDone() override { delete this; }

   private:
    HealthService& service_;
    std::string method_;
    grpc::ByteBuffer request_, response_;
  };
};

class GrpcProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterCallbackGenericService(&health);
    server = builder.BuildAndStart();
    ASSERT_TRUE(server);
  }
  void TearDown() override { server->Shutdown(); }
  ProbeResult probe(int p, const std::string& service) {
    std::optional<ProbeResult> out;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
      out = co_await grpcProbe("127.0.0.1", p, service, 1s);
    }, asio::detached);
    testing::runFor(io, 5s, [&] { return out.has_value(); });
    return out.value_or(ProbeResult{Outcome::Unknown, "did not finish"});
  }
  asio::io_context io;
  HealthService health;
  int port = 0;
  std::unique_ptr<grpc::Server> server;
};

TEST_F(GrpcProbeTest, ServingNotServingAndUnknownService) {
  auto ok = probe(port, "");
  EXPECT_EQ(ok.outcome, Outcome::Success) << ok.output;
  auto named = probe(port, "liveness");
  EXPECT_EQ(named.outcome, Outcome::Success);
  EXPECT_EQ(health.lastService, "liveness");
  health.status = 2;
  auto down = probe(port, "");
  EXPECT_EQ(down.outcome, Outcome::Failure);
  EXPECT_EQ(down.output, "service unhealthy (responded with \"NOT_SERVING\")");
  EXPECT_EQ(probe(port, "other").output, "service unhealthy (responded with \"SERVICE_UNKNOWN\")");
  EXPECT_EQ(health.calls.load(), 4);
}

TEST_F(GrpcProbeTest, NothingListening) {
  server->Shutdown();
  auto r = probe(port, "");
  EXPECT_EQ(r.outcome, Outcome::Failure);
  EXPECT_EQ(r.output.rfind("timeout: failed to connect service \"127.0.0.1:" + std::to_string(port) + "\" within 1s", 0), 0u)
      << r.output;
}

TEST(HealthCheckCodecTest, RoundTrips) {
  EXPECT_EQ(encodeHealthCheckRequest(""), "");
  EXPECT_EQ(encodeHealthCheckRequest("ab"), std::string("\x0a\x02" "ab"));
  EXPECT_EQ(decodeHealthCheckStatus(encodeHealthCheckResponse(1)), 1);
  EXPECT_EQ(decodeHealthCheckStatus(""), 0);
  EXPECT_EQ(decodeHealthCheckStatus("\x08"), -1);
}

}  // namespace
}  // namespace kcpp::kubelet::prober
