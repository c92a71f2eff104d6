// httpGet and tcpSocket probes against real loopback servers.
#include "kubelet/prober/http_probe.h"

#include <gtest/gtest.h>

#include <boost/asio/redirect_error.hpp>

#include <optional>

#include "kubelet/prober/tcp_probe.h"
#include "kubelet/prober/test_servers.h"
#include "pki/cluster_pki.h"
#include "pki/test_temp_dir.h"
#include "pki/tls_context.h"

namespace kcpp::kubelet::prober {
namespace {

namespace asio = boost::asio;

using namespace std::chrono_literals;
using testing::Answer;

class HttpProbeTest : public ::testing::Test {
 protected:
  ProbeResult probe(HttpGetTarget t, std::chrono::milliseconds timeout = 1s) {
    std::optional<ProbeResult> out;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> { out = co_await httpProbe(t, timeout); },
                   asio::detached);
    testing::runFor(io, 5s, [&] { return out.has_value(); });
    return out.value_or(ProbeResult{Outcome::Unknown, "did not finish"});
  }
  HttpGetTarget target(const std::string& path) {
    HttpGetTarget t;
    t.host = "127.0.0.1";
    t.port = server.port();
    t.path = path;
    return t;
  }
  asio::io_context io;
  testing::TestHttpServer server{io};
};

TEST_F(HttpProbeTest, StatusCodes) {
  server.answer("/ok", Answer{200, "fine"});
  server.answer("/created", Answer{201, ""});
  server.answer("/fail", Answer{500, "broken"});
  server.answer("/missing", Answer{404, ""});
  auto ok = probe(target("/ok"));
  EXPECT_EQ(ok.outcome, Outcome::Success);
  EXPECT_EQ(ok.output, "fine");
  EXPECT_EQ(probe(target("/created")).outcome, Outcome::Success);
  auto fail = probe(target("/fail"));
  EXPECT_EQ(fail.outcome, Outcome::Failure);
  // Never the body in the user-facing message (upstream #99425).
  EXPECT_EQ(fail.output, "HTTP probe failed with statuscode: 500");
  EXPECT_EQ(probe(target("/missing")).output, "HTTP probe failed with statuscode: 404");
}

TEST_F(HttpProbeTest, SendsHeadersUserAgentAndAccept) {
  auto t = target("/healthz?full=1");
  t.headers = {{"X-Custom", "yes"}, {"Host", "example.test"}};
  EXPECT_EQ(probe(t).outcome, Outcome::Success);
  auto seen = server.requests("/healthz?full=1");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].headers["x-custom"], "yes");
  EXPECT_EQ(seen[0].headers["host"], "example.test");
  EXPECT_EQ(seen[0].headers["user-agent"], "kube-probe/1.33");
  EXPECT_EQ(seen[0].headers["accept"], "*/*");
  t.headers = {{"User-Agent", "mine"}, {"Accept", "application/json"}};
  EXPECT_EQ(probe(t).outcome, Outcome::Success);
  seen = server.requests("/healthz?full=1");
  EXPECT_EQ(seen[1].headers["user-agent"], "mine");
  EXPECT_EQ(seen[1].headers["accept"], "application/json");
  EXPECT_EQ(seen[1].headers["host"], "127.0.0.1:" + std::to_string(server.port()));
  // No path: "/".
  EXPECT_EQ(probe(target("")).outcome, Outcome::Success);
  EXPECT_EQ(server.count("/"), 1u);
}

TEST_F(HttpProbeTest, RedirectsSameHostFollowedOtherHostWarns) {
  server.answer("/old", Answer{302, "", "/new"});
  server.answer("/new", Answer{500, ""});
  EXPECT_EQ(probe(target("/old")).output, "HTTP probe failed with statuscode: 500");
  EXPECT_EQ(server.count("/new"), 1u);
  server.answer("/away", Answer{301, "moved", "http://localhost:" + std::to_string(server.port()) + "/x"});
  auto away = probe(target("/away"));
  EXPECT_EQ(away.outcome, Outcome::Warning);
  EXPECT_EQ(away.output, "Probe terminated redirects, Response body: moved");
  EXPECT_EQ(server.count("/x"), 0u);
  server.answer("/loop", Answer{302, "", "/loop"});
  auto loop = probe(target("/loop"));
  EXPECT_EQ(loop.outcome, Outcome::Failure);
  EXPECT_NE(loop.output.find("stopped after 10 redirects"), std::string::npos) << loop.output;
}

TEST_F(HttpProbeTest, ConnectionRefusedAndTimeout) {
  int closedPort = testing::closedPort(io);
  auto t = target("/");
  t.port = closedPort;
  auto refused = probe(t);
  EXPECT_EQ(refused.outcome, Outcome::Failure);
  EXPECT_EQ(refused.output, "Get \"http://127.0.0.1:" + std::to_string(closedPort) +
                                "/\": dial tcp 127.0.0.1:" + std::to_string(closedPort) +
                                ": connect: connection refused");
  server.answer("/slow", Answer{200, "", "", 2s});
  auto start = std::chrono::steady_clock::now();
  auto slow = probe(target("/slow"), 300ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
  EXPECT_EQ(slow.outcome, Outcome::Failure);
  EXPECT_EQ(slow.output, "Get \"http://127.0.0.1:" + std::to_string(server.port()) +
                             "/slow\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
}

TEST_F(HttpProbeTest, HttpsWithoutVerification) {
  pki::TempDir dir;
  pki::ServingNames names;
  names.bindAddress = "127.0.0.1";
  auto cluster = pki::ClusterPki::loadOrCreate(dir.path(), pki::servingAltNames(names));
  ASSERT_TRUE(cluster.ok());
  asio::ssl::context tls(asio::ssl::context::tls_server);
  ASSERT_TRUE(pki::configureServerTls(tls, *cluster).ok());
  testing::TestHttpServer secure(io, &tls);
  secure.answer("/secure", Answer{200, "tls"});
  HttpGetTarget t;
  t.scheme = "https";
  t.host = "127.0.0.1";
  t.port = secure.port();
  t.path = "/secure";
  auto r = probe(t);
  EXPECT_EQ(r.outcome, Outcome::Success) << r.output;
  EXPECT_EQ(r.output, "tls");
}

TEST(TcpProbeTest, OpenAndClosedPorts) {
  asio::io_context io;
  auto run = [&](int port) {
    std::optional<ProbeResult> out;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> { out = co_await tcpProbe("127.0.0.1", port, 1s); },
                   asio::detached);
    testing::runFor(io, 3s, [&] { return out.has_value(); });
    return *out;
  };
  int closedPort = testing::closedPort(io);
  testing::TestHttpServer server(io);
  EXPECT_EQ(run(server.port()).outcome, Outcome::Success);
  auto closed = run(closedPort);
  EXPECT_EQ(closed.outcome, Outcome::Failure);
  EXPECT_EQ(closed.output, "dial tcp 127.0.0.1:" + std::to_string(closedPort) + ": connect: connection refused");
}

TEST(GoDurationTest, FormatsAsGo) {
  EXPECT_EQ(goDuration(1s), "1s");
  EXPECT_EQ(goDuration(500ms), "500ms");
  EXPECT_EQ(goDuration(1500ms), "1.5s");
}

}  // namespace
}  // namespace kcpp::kubelet::prober
