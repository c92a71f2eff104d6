// The kubelet server with a fake runtime, for end-to-end tests of logs, exec,
// attach and port-forward through the API server without containerd. Pods
// come from the API (those bound to --node-name, polled); commands run as
// child processes of this program (LocalProcessStreamer).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <map>

#include "client/rest/rest_client.h"
#include "kubelet/server/kubelet_server.h"
#include "kubelet/server/kubelet_tls.h"
#include "kubelet/server/local_process_streamer.h"
#include "pki/kubeconfig.h"

namespace asio = boost::asio;
namespace json = boost::json;
using namespace kcpp;
using namespace kcpp::kubelet::server;

namespace {

// The node's pods, refreshed from the API every `interval`.
class PolledPods : public PodLookup {
 public:
  PolledPods(client::RestClient& client, std::string nodeName) : client_(client), nodeName_(std::move(nodeName)) {}

  std::optional<json::object> pod(const std::string& ns, const std::string& name) const override {
    auto it = pods_.find(ns + "/" + name);
    if (it == pods_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<json::object> pods() const override {
    std::vector<json::object> all;
    for (const auto& [k, p] : pods_) all.push_back(p);
    return all;
  }

  asio::awaitable<void> poll(std::chrono::milliseconds interval) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
      auto list = co_await client_.request("GET", "/api/v1/pods?fieldSelector=spec.nodeName%3D" + nodeName_, "", "");
      if (list) {
        std::map<std::string, json::object> fresh;
        if (auto* items = list->if_contains("items"); items && items->is_array()) {
          for (auto& item : items->as_array()) {
            auto& o = item.as_object();
            auto& meta = o.at("metadata").as_object();
            fresh[std::string(meta.at("namespace").as_string()) + "/" + std::string(meta.at("name").as_string())] = o;
          }
        }
        pods_ = std::move(fresh);
      }
      timer.expires_after(interval);
      co_await timer.async_wait(asio::use_awaitable);
    }
  }

 private:
  client::RestClient& client_;
  std::string nodeName_;
  std::map<std::string, json::object> pods_;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kubelet server over a fake runtime (tests only)"};
  std::string kubeconfigPath, nodeName, bindAddress = "127.0.0.1", logDir;
  KubeletTlsFiles tlsFiles;
  std::string clientCa;
  int port = 0;
  app.add_option("--kubeconfig", kubeconfigPath)->required();
  app.add_option("--node-name", nodeName)->required();
  app.add_option("--address", bindAddress);
  app.add_option("--port", port);
  app.add_option("--log-dir", logDir)->required();
  app.add_option("--client-ca-file", clientCa);
  app.add_option("--tls-cert-file", tlsFiles.certFile);
  app.add_option("--tls-private-key-file", tlsFiles.keyFile);
  CLI11_PARSE(app, argc, argv);
  std::signal(SIGPIPE, SIG_IGN);
  if (std::getenv("KCPP_FAKE_KUBELET_DEBUG")) spdlog::set_level(spdlog::level::debug);  // a child closing its stdin must not end us
  tlsFiles.clientCaFile = clientCa;

  asio::io_context io;
  auto kubeconfig = pki::readKubeconfig(kubeconfigPath);
  if (!kubeconfig) {
    std::cerr << kubeconfig.error().message << "\n";
    return 1;
  }
  auto client = client::RestClient::create(io.get_executor(), *kubeconfig);
  if (!client) {
    std::cerr << client.error().message << "\n";
    return 1;
  }
  asio::ssl::context tls(asio::ssl::context::tls_server);
  if (auto ok = configureKubeletServerTls(tls, tlsFiles, nodeName, {bindAddress}); !ok) {
    std::cerr << ok.error().message << "\n";
    return 1;
  }
  PolledPods pods(**client, nodeName);
  ApiKubeletAuth auth(**client);
  LocalProcessStreamer streamer(io.get_executor());
  KubeletServerOptions options;
  options.bindAddress = bindAddress;
  options.port = static_cast<std::uint16_t>(port);
  options.nodeName = nodeName;
  options.logDir = logDir;
  options.logPollInterval = std::chrono::milliseconds(100);
  KubeletServer server(io, tls, options, auth, pods, streamer);
  if (auto ok = server.listen(); !ok) {
    std::cerr << ok.error().message << "\n";
    return 1;
  }
  server.start();
  asio::co_spawn(io, pods.poll(std::chrono::milliseconds(200)), asio::detached);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](auto, auto) { io.stop(); });
  std::cout << "port " << server.port() << std::endl;
  io.run();
  return 0;
}
