#include "node_fixture.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace kcpp::test {

namespace fs = std::filesystem;
namespace json = boost::json;
using kubelet::images::ProcessOutcome;

Result<ProcessOutcome> run(const std::vector<std::string>& argv, std::string_view input,
                           std::chrono::milliseconds timeout) {
  return kubelet::images::runProcess(argv, input, timeout);
}

NetNs::NetNs(std::string name) : name_(std::move(name)) {
  auto added = run({"ip", "netns", "add", name_});
  created_ = added && added->succeeded();
  if (!created_) return;
  auto lo = run(enter({"ip", "link", "set", "lo", "up"}));
  ok_ = lo && lo->succeeded();
}

NetNs::~NetNs() {
  // Deleting the namespace takes its bridge, veths, routes and iptables rules with it.
  if (created_) (void)run({"ip", "netns", "del", name_});
}

std::vector<std::string> NetNs::enter(std::vector<std::string> argv) const {
  argv.insert(argv.begin(), {"nsenter", "--net=" + path()});
  return argv;
}

Containerd::Containerd(const NetNs& ns, fs::path dir) : dir_(std::move(dir)) {
  fs::create_directories(dir_);
  // The product's settings that matter here (NODE-NOTES): our own root, state
  // and socket; restrict_oom_score_adj; runc without systemd cgroups; Debian's
  // CNI plugin dir.
  std::ofstream(dir_ / "config.toml") << "version = 2\n"
      << "root = \"" << (dir_ / "root").string() << "\"\n"
      << "state = \"" << (dir_ / "state").string() << "\"\n"
      << "[grpc]\n  address = \"" << socket() << "\"\n"
      << "[debug]\n  level = \"debug\"\n"  // CNI config reloads are logged at debug
      << "[plugins.\"io.containerd.grpc.v1.cri\"]\n"
      << "  sandbox_image = \"docker.io/kcpp/pause:3.9\"\n"
      << "  restrict_oom_score_adj = true\n"
      << "  [plugins.\"io.containerd.grpc.v1.cri\".cni]\n"
      << "    bin_dir = \"/usr/lib/cni\"\n"
      << "    conf_dir = \"" << cniConfDir().string() << "\"\n"
      << "  [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc]\n"
      << "    runtime_type = \"io.containerd.runc.v2\"\n"
      << "    [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n"
      << "      SystemdCgroup = false\n";
  std::vector<std::string> argv =
      ns.enter({"containerd", "--config", (dir_ / "config.toml").string()});
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  std::string logPath = (dir_ / "containerd.log").string();
  posix_spawn_file_actions_addopen(&fa, 1, logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);  // its own session, as the supervisor runs it
  if (posix_spawnp(&pid_, args[0], &fa, &attr, args.data(), environ) != 0) pid_ = -1;
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&fa);
}

Containerd::~Containerd() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string Containerd::fullLog() const {
  std::ifstream in(dir_ / "containerd.log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Containerd::log() const {
  std::string text = fullLog();
  return text.size() > 3000 ? text.substr(text.size() - 3000) : text;
}

std::string Containerd::waitReady(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return "containerd could not be started";
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string path = socket();
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return "containerd exited: " + log();
    }
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool up = ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
    ::close(fd);
    if (up) return "";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return "containerd did not answer on " + path + ": " + log();
}

std::vector<std::string> Containerd::ctr(std::vector<std::string> args) const {
  args.insert(args.begin(), {"ctr", "--address", socket(), "--namespace", "k8s.io"});
  return args;
}

CniChain::CniChain(const NetNs& node, json::object conflist, std::string containerId, std::string podNetns)
    : node_(node), conflist_(std::move(conflist)), containerId_(std::move(containerId)),
      podNetns_(std::move(podNetns)) {}

Result<json::object> CniChain::invoke(const char* command, const json::object& plugin,
                                      const json::object* prevResult, const json::object& runtimeConfig) {
  json::object conf = plugin;
  conf["name"] = conflist_.at("name");
  conf["cniVersion"] = conflist_.at("cniVersion");
  if (prevResult) conf["prevResult"] = *prevResult;
  // Capabilities the plugin declares receive the matching runtimeConfig keys.
  if (auto* caps = plugin.if_contains("capabilities"); caps && caps->is_object()) {
    json::object rc;
    for (const auto& kv : caps->get_object()) {
      if (kv.value() == true && runtimeConfig.contains(kv.key())) rc[kv.key()] = runtimeConfig.at(kv.key());
    }
    if (!rc.empty()) conf["runtimeConfig"] = std::move(rc);
  }
  std::string type(plugin.at("type").as_string());
  auto outcome = run(node_.enter({"env", std::string("CNI_COMMAND=") + command, "CNI_CONTAINERID=" + containerId_,
                                  "CNI_NETNS=" + podNetns_, "CNI_IFNAME=eth0", "CNI_PATH=/usr/lib/cni",
                                  "/usr/lib/cni/" + type}),
                     json::serialize(conf));
  if (!outcome) return std::move(outcome).error();
  if (!outcome->succeeded()) {
    return makeError(Reason::InternalError, "CNI " + std::string(command) + " " + type + ": " + outcome->out + outcome->err);
  }
  if (std::string(command) == "DEL" || outcome->out.empty()) return json::object{};
  boost::system::error_code ec;
  json::value v = json::parse(outcome->out, ec);
  if (ec || !v.is_object()) return makeError(Reason::InternalError, "CNI " + type + " result: " + outcome->out);
  return std::move(v.get_object());
}

Result<json::object> CniChain::add(const json::object& runtimeConfig) {
  runtimeConfig_ = runtimeConfig;
  const json::object* prev = nullptr;
  for (const auto& plugin : conflist_.at("plugins").as_array()) {
    auto r = invoke("ADD", plugin.as_object(), prev, runtimeConfig);
    added_ = true;
    if (!r) return r;
    result_ = std::move(*r);
    prev = &result_;
  }
  return result_;
}

Result<void> CniChain::del() {
  if (!added_) return {};
  added_ = false;
  const auto& plugins = conflist_.at("plugins").as_array();
  Result<void> outcome;
  for (auto it = plugins.rbegin(); it != plugins.rend(); ++it) {
    auto r = invoke("DEL", it->as_object(), &result_, runtimeConfig_);
    if (!r && outcome) outcome = std::move(r).error();
  }
  return outcome;
}

}  // namespace kcpp::test
