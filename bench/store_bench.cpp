// kcpp_store_bench: durable writes per second and latency of the SQLite store,
// against a real etcd 3.4 started here, at 1, 8 and 32 concurrent writers.
//
// Each writer is a coroutine that puts new keys one after another (a small
// value, as a typical object) and times each put from call to acknowledgement.
// SQLite: SqliteStore::create (acknowledged after fsync). etcd: POST /v3/kv/put
// to its JSON gRPC gateway over plain HTTP/1.1, one keep-alive connection per
// writer (acknowledged after etcd's own fsync). Each cell is the median of --runs.
//
//   kcpp_store_bench [--writes N] [--runs R] [--value-bytes B] [--etcd PATH] [--no-etcd]

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "storage/sqlite/sqlite_store.h"

namespace kcpp::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using tcp = asio::ip::tcp;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

struct Options {
  int writes = 4000;  // per cell, split over the writers
  int runs = 3;
  std::size_t valueBytes = 256;
  std::string etcd = "/usr/bin/etcd";
  bool withEtcd = true;
};

struct Sample {
  double writesPerSecond = 0;
  double p50Ms = 0;
  double p99Ms = 0;
  double writesPerTransaction = 0;  // SQLite only: how well group commit batches
  bool ok = true;
};

// ---- measuring ---------------------------------------------------------------

double percentile(std::vector<double>& sorted, double fraction) {
  if (sorted.empty()) return 0;
  auto index = static_cast<std::size_t>(fraction * static_cast<double>(sorted.size() - 1));
  return sorted[index];
}

Sample summarize(std::vector<double> latenciesMs, Clock::duration elapsed, bool ok) {
  std::sort(latenciesMs.begin(), latenciesMs.end());
  Sample s;
  double seconds = std::chrono::duration<double>(elapsed).count();
  s.writesPerSecond = seconds > 0 ? static_cast<double>(latenciesMs.size()) / seconds : 0;
  s.p50Ms = percentile(latenciesMs, 0.50);
  s.p99Ms = percentile(latenciesMs, 0.99);
  s.ok = ok;
  return s;
}

double msSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string keyFor(int writer, int i) {
  return "/registry/bench/w" + std::to_string(writer) + "/k" + std::to_string(i);
}

// ---- SQLite ------------------------------------------------------------------

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "kcpp-bench-XXXXXX").string();
    if (mkdtemp(pattern.data())) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Sample benchSqlite(int writers, const Options& options) {
  TempDir dir;
  auto opened = storage::openSqliteStore(dir.path() + "/kcpp.db");
  if (!opened) {
    std::fprintf(stderr, "sqlite: %s\n", opened.error().message.c_str());
    return Sample{.ok = false};
  }
  auto store = std::move(opened).value();
  const std::string value(options.valueBytes, 'v');
  const int each = options.writes / writers;
  std::vector<double> latencies;
  latencies.reserve(static_cast<std::size_t>(each * writers));
  bool ok = true;

  asio::io_context io;
  for (int w = 0; w < writers; ++w) {
    asio::co_spawn(
        io,
        [&, w]() -> asio::awaitable<void> {
          for (int i = 0; i < each; ++i) {
            auto start = Clock::now();
            auto r = co_await store->create(keyFor(w, i), value);
            latencies.push_back(msSince(start));
            if (!r) ok = false;
          }
        },
        asio::detached);
  }
  auto start = Clock::now();
  io.run();
  Sample s = summarize(std::move(latencies), Clock::now() - start, ok);
  auto stats = store->stats();
  s.writesPerTransaction =
      stats.transactions ? static_cast<double>(stats.writes) / static_cast<double>(stats.transactions) : 0;
  store->close();
  return s;
}

// ---- etcd ---------------------------------------------------------------------

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < in.size(); i += 3) {
    std::uint32_t chunk = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) chunk |= static_cast<unsigned char>(in[i + 1]) << 8;
    if (i + 2 < in.size()) chunk |= static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[(chunk >> 18) & 63];
    out += kAlphabet[(chunk >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(chunk >> 6) & 63] : '=';
    out += i + 2 < in.size() ? kAlphabet[chunk & 63] : '=';
  }
  return out;
}

// A loopback port nobody listens on right now (the OS picks it).
unsigned short freePort() {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  return acceptor.local_endpoint().port();
}

// An etcd server on free loopback ports with a temporary data dir; stopped by
// its PID when this object goes away.
class EtcdProcess {
 public:
  EtcdProcess(const std::string& binary, const std::string& dataDir) {
    clientPort_ = freePort();
    unsigned short peerPort = freePort();
    std::string client = "http://127.0.0.1:" + std::to_string(clientPort_);
    std::string peer = "http://127.0.0.1:" + std::to_string(peerPort);
    std::vector<std::string> args = {binary,
                                     "--name", "bench",
                                     "--data-dir", dataDir + "/etcd",
                                     "--listen-client-urls", client,
                                     "--advertise-client-urls", client,
                                     "--listen-peer-urls", peer,
                                     "--initial-advertise-peer-urls", peer,
                                     "--initial-cluster", "bench=" + peer};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);

    std::string log = dataDir + "/etcd.log";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    if (posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }

  ~EtcdProcess() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  EtcdProcess(const EtcdProcess&) = delete;
  EtcdProcess& operator=(const EtcdProcess&) = delete;

  bool started() const { return pid_ > 0; }
  tcp::endpoint endpoint() const { return {asio::ip::address_v4::loopback(), clientPort_}; }

 private:
  pid_t pid_ = -1;
  unsigned short clientPort_ = 0;
};

// One keep-alive HTTP connection to etcd's gateway.
class EtcdClient {
 public:
  explicit EtcdClient(asio::any_io_executor executor) : stream_(std::move(executor)) {}

  asio::awaitable<bool> connect(tcp::endpoint endpoint) {
    auto [error] = co_await stream_.async_connect(endpoint, kNoThrow);
    co_return !error;
  }

  // POSTs a JSON body; true on HTTP 200.
  asio::awaitable<bool> post(const char* target, std::string body) {
    http::request<http::string_body> request{http::verb::post, target, 11};
    request.set(http::field::host, "127.0.0.1");
    request.set(http::field::content_type, "application/json");
    request.keep_alive(true);
    request.body() = std::move(body);
    request.prepare_payload();
    auto [writeError, written] = co_await http::async_write(stream_, request, kNoThrow);
    if (writeError) co_return false;
    http::response<http::string_body> response;
    auto [readError, read] = co_await http::async_read(stream_, buffer_, response, kNoThrow);
    co_return !readError && response.result() == http::status::ok;
  }

 private:
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

std::string putBody(const std::string& key, const std::string& value) {
  return R"({"key":")" + base64(key) + R"(","value":")" + base64(value) + R"("})";
}

// Polls until etcd answers a put (it is then elected and serving), up to ~15 s.
bool waitForEtcd(tcp::endpoint endpoint) {
  for (int attempt = 0; attempt < 150; ++attempt) {
    asio::io_context io;
    bool ready = false;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          EtcdClient client(co_await asio::this_coro::executor);
          if (co_await client.connect(endpoint)) {
            ready = co_await client.post("/v3/kv/put", putBody("/ready", "1"));
          }
        },
        asio::detached);
    io.run();
    if (ready) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

Sample benchEtcd(int writers, const Options& options) {
  TempDir dir;
  EtcdProcess etcd(options.etcd, dir.path());
  if (!etcd.started() || !waitForEtcd(etcd.endpoint())) {
    std::fprintf(stderr, "etcd: did not start (see its log in a temp dir)\n");
    return Sample{.ok = false};
  }
  const std::string value(options.valueBytes, 'v');
  const int each = options.writes / writers;
  std::vector<double> latencies;
  latencies.reserve(static_cast<std::size_t>(each * writers));
  bool ok = true;
  asio::io_context io;
  for (int w = 0; w < writers; ++w) {
    asio::co_spawn(
        io,
        [&, w]() -> asio::awaitable<void> {
          EtcdClient client(co_await asio::this_coro::executor);
          if (!co_await client.connect(etcd.endpoint())) {
            ok = false;
            co_return;
          }
          for (int i = 0; i < each; ++i) {
            auto start = Clock::now();
            bool put = co_await client.post("/v3/kv/put", putBody(keyFor(w, i), value));
            latencies.push_back(msSince(start));
            if (!put) ok = false;
          }
        },
        asio::detached);
  }
  auto start = Clock::now();
  io.run();
  return summarize(std::move(latencies), Clock::now() - start, ok);
}

// ---- reporting ----------------------------------------------------------------

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

Sample medianOf(const std::vector<Sample>& runs) {
  auto pick = [&](double Sample::*field) {
    std::vector<double> values;
    for (const auto& run : runs) values.push_back(run.*field);
    return median(values);
  };
  Sample m;
  m.writesPerSecond = pick(&Sample::writesPerSecond);
  m.p50Ms = pick(&Sample::p50Ms);
  m.p99Ms = pick(&Sample::p99Ms);
  m.writesPerTransaction = pick(&Sample::writesPerTransaction);
  m.ok = std::all_of(runs.begin(), runs.end(), [](const Sample& s) { return s.ok; });
  return m;
}

void printRow(const char* backend, int writers, const Sample& s) {
  std::printf("%-8s %8d %12.0f %9.2f %9.2f", backend, writers, s.writesPerSecond, s.p50Ms, s.p99Ms);
  if (s.writesPerTransaction > 0) std::printf(" %12.1f", s.writesPerTransaction);
  else std::printf(" %12s", "-");
  std::printf("%s\n", s.ok ? "" : "  (errors!)");
}

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (arg == "--writes") options.writes = std::max(32, std::atoi(next().c_str()));
    else if (arg == "--runs") options.runs = std::max(1, std::atoi(next().c_str()));
    else if (arg == "--value-bytes") options.valueBytes = static_cast<std::size_t>(std::atoi(next().c_str()));
    else if (arg == "--etcd") options.etcd = next();
    else if (arg == "--no-etcd") options.withEtcd = false;
  }
  return options;
}

int run(int argc, char** argv) {
  Options options = parse(argc, argv);
  std::printf("durable writes: %d puts of %zu-byte values per cell, median of %d runs\n\n",
              options.writes, options.valueBytes, options.runs);
  std::printf("%-8s %8s %12s %9s %9s %12s\n", "backend", "writers", "writes/s", "p50 ms", "p99 ms",
              "writes/txn");
  bool allOk = true;
  for (int writers : {1, 8, 32}) {
    std::vector<Sample> sqliteRuns;
    std::vector<Sample> etcdRuns;
    for (int r = 0; r < options.runs; ++r) {
      sqliteRuns.push_back(benchSqlite(writers, options));
      if (options.withEtcd) etcdRuns.push_back(benchEtcd(writers, options));
    }
    Sample sqlite = medianOf(sqliteRuns);
    printRow("sqlite", writers, sqlite);
    allOk = allOk && sqlite.ok;
    if (options.withEtcd) {
      Sample etcd = medianOf(etcdRuns);
      printRow("etcd", writers, etcd);
      allOk = allOk && etcd.ok;
    }
    std::fflush(stdout);
  }
  return allOk ? 0 : 1;
}

}  // namespace
}  // namespace kcpp::bench

int main(int argc, char** argv) { return kcpp::bench::run(argc, argv); }
