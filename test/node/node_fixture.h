#pragma once
// Test support for node-side integration tests: a network namespace made for
// the test, a throwaway containerd started inside it (config under a temp dir,
// as the product's supervisor does), and helpers to run ctr and CNI plugins.
// Everything is removed afterwards: processes by PID, namespaces, directories.

#include <sys/types.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "kubelet/images/child_process.h"
#include "util/error.h"

namespace kcpp::test {

// Runs argv to completion (30 s at most); the outcome, or a failed Result.
Result<kubelet::images::ProcessOutcome> run(const std::vector<std::string>& argv, std::string_view input = {},
                                            std::chrono::milliseconds timeout = std::chrono::seconds(30));

// A named network namespace (ip netns add/del), with "lo" up.
class NetNs {
 public:
  explicit NetNs(std::string name);
  ~NetNs();
  NetNs(const NetNs&) = delete;
  NetNs& operator=(const NetNs&) = delete;
  bool ok() const { return ok_; }
  const std::string& name() const { return name_; }
  std::string path() const { return "/var/run/netns/" + name_; }
  // argv run inside this namespace (nsenter --net, not `ip netns exec`, which
  // remounts /sys).
  std::vector<std::string> enter(std::vector<std::string> argv) const;

 private:
  std::string name_;
  bool created_ = false;  // only a namespace this test made is deleted
  bool ok_ = false;
};

// containerd as a child process inside `ns`, with root/state/socket under `dir`.
class Containerd {
 public:
  Containerd(const NetNs& ns, std::filesystem::path dir);
  ~Containerd();  // SIGTERM, then SIGKILL after 10 s; by PID
  Containerd(const Containerd&) = delete;
  Containerd& operator=(const Containerd&) = delete;
  // Empty when it answers on its socket; else why not (with its log's tail).
  std::string waitReady(std::chrono::milliseconds timeout);
  std::string socket() const { return (dir_ / "containerd.sock").string(); }
  // `ctr --address <socket> -n k8s.io <args...>`.
  std::vector<std::string> ctr(std::vector<std::string> args) const;
  std::string log() const;      // the last lines, for failure messages
  std::string fullLog() const;
  // The CRI plugin's CNI conf_dir, as the product lays it out.
  std::filesystem::path cniConfDir() const { return dir_ / "agent/etc/cni/net.d"; }

 private:
  std::filesystem::path dir_;
  pid_t pid_ = -1;
};

// Runs a CNI conflist's plugin chain for one pod namespace, as libcni does
// (each plugin gets the previous one's result; DEL runs in reverse).
class CniChain {
 public:
  CniChain(const NetNs& node, boost::json::object conflist, std::string containerId, std::string podNetns);
  // The final result (ips, interfaces), or why a plugin failed.
  Result<boost::json::object> add(const boost::json::object& runtimeConfig);
  Result<void> del();

 private:
  Result<boost::json::object> invoke(const char* command, const boost::json::object& plugin,
                                     const boost::json::object* prevResult, const boost::json::object& runtimeConfig);
  const NetNs& node_;
  boost::json::object conflist_;
  std::string containerId_, podNetns_;
  boost::json::object result_;
  boost::json::object runtimeConfig_;
  bool added_ = false;
};

}  // namespace kcpp::test
