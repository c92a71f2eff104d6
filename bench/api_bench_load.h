#pragma once
// The API benchmark's load against one running server: ConfigMap create / get / list /
// update and ~2.5 KB Deployment creates at fixed concurrency (closed loop), watch fan-out
// with create→event latency, creates at a fixed rate (open loop) and LISTs of many
// ConfigMaps. Each case adds rows to the report; errors and server deaths are recorded,
// never thrown.

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "api_bench_client.h"
#include "api_bench_report.h"
#include "api_bench_server.h"

namespace kcpp::bench {

struct Options {
  std::filesystem::path kcpp;
  double duration = 3;  // seconds per CRUD case
  std::vector<int> clients = {1, 8, 32};
  std::vector<int> watchers = {1, 100};
  int watchEvents = 2000;
  int writers = 4;
  double pacedRate = 200;
  int pacedCount = 5000;
  int listSize = 10000;
  int listRepeats = 7;
  int restarts = 5;
  int runs = 1;
  std::string json;
  bool keep = false;
  bool quick = false;
  std::vector<std::string> scenarios = {"crud", "deployment", "watch", "paced", "list", "startup"};
  std::vector<std::string> serverArgs = {"--disable-agent"};

  bool enabled(const std::string& s) const {
    return std::find(scenarios.begin(), scenarios.end(), s) != scenarios.end();
  }
};

// What the load cases share: the server under test, its credentials and the results.
struct Bench {
  const Options& options;
  ServerProcess& server;
  asio::ssl::context& tls;
  ErrorLog& errors;
  Report& report;
  std::vector<std::string>& problems;
  long created = 0;     // objects this run created in the server's store
  long configMaps = 0;  // ... of which ConfigMaps

  ConnectionPtr connection(asio::any_io_executor executor);
  void failed(const std::string& kase, const Response& r) { errors.add(kase, r.status, r.body); }
  // False (and the death recorded with the log's tail) once the server process is gone.
  bool serverAlive(const std::string& during);
};

asio::awaitable<void> runLoad(Bench& b);

// ConfigMaps the benchmark created (those with data.sent) in a LIST response body.
std::size_t benchConfigMapCount(const std::string& listBody);

double seconds(Clock::duration d);

template <class... Args>
void progress(fmt::format_string<Args...> format, Args&&... args) {
  fmt::print(stderr, "[api-bench] {}\n", fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace kcpp::bench
