// Node images and pod network against a real containerd, inside a network
// namespace made for the test: kcpp's pause and busybox archives are imported
// (through importStartupImages and through `kcpp images import`), bad archives
// give clear errors, and the busybox image runs, on the pod network that
// 10-kcpp.conflist describes (bridge + host-local + portmap), as a web server
// another pod reaches by pod IP and through a hostPort.
//
// Needs root, containerd, runc, the CNI plugins, iptables (scripts/install-deps).
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zstd.h>

#include <boost/json.hpp>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "kubelet/images/builtin_images.h"
#include "kubelet/images/gzip.h"
#include "kubelet/images/image_import.h"
#include "kubelet/network/cni_config.h"
#include "node_fixture.h"
#include "pki/atomic_file.h"

extern char** environ;

namespace kcpp::test {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using kubelet::images::kBusyboxImage;
using kubelet::images::kPauseImage;
using Clock = std::chrono::steady_clock;

const fs::path kImagesDir = KCPP_IMAGES_DIR;  // build/images: pause.tar, busybox.tar
const std::string kKcpp = KCPP_BINARY;

std::string uniqueName(const char* prefix) {
  std::random_device rd;
  return std::string(prefix) + std::to_string(::getpid()) + "-" + std::to_string(rd() % 100000);
}

std::string joined(const Result<kubelet::images::ProcessOutcome>& r) {
  if (!r) return "error: " + r.error().message;
  return "exit " + std::to_string(r->exitCode) + (r->timedOut ? " (timed out)" : "") + "\nstdout: " + r->out +
         "\nstderr: " + r->err;
}

class NodeImages : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (::geteuid() != 0) return;
    char pattern[] = "/tmp/kcpp-node-XXXXXX";  // short: unix socket paths are limited
    KCPP_CHECK(::mkdtemp(pattern) != nullptr, "mkdtemp");
    dir_ = new fs::path(pattern);
    ns_ = new NetNs(uniqueName("kcpp-img-"));
    if (!ns_->ok()) return;
    containerd_ = new Containerd(*ns_, *dir_ / "containerd");
    startError_ = new std::string(containerd_->waitReady(std::chrono::seconds(20)));
  }

  static void TearDownTestSuite() {
    delete containerd_;  // stops containerd by PID
    containerd_ = nullptr;
    delete ns_;
    ns_ = nullptr;
    delete startError_;
    startError_ = nullptr;
    if (dir_) {
      std::error_code ec;
      fs::remove_all(*dir_, ec);
      delete dir_;
      dir_ = nullptr;
    }
  }

  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces, containerd)";
    ASSERT_TRUE(ns_ && ns_->ok()) << "could not create a network namespace";
    ASSERT_TRUE(startError_ && startError_->empty()) << *startError_;
    options_.address = containerd_->socket();
  }

  std::vector<std::string> imageNames() {
    auto ls = run(containerd_->ctr({"images", "ls", "-q"}));
    EXPECT_TRUE(ls && ls->succeeded()) << joined(ls);
    std::vector<std::string> names;
    if (!ls) return names;
    std::istringstream in(ls->out);
    for (std::string line; std::getline(in, line);) {
      if (!line.starts_with("sha256:")) names.push_back(line);
    }
    return names;
  }

  // The containerd log from the first line holding `marker` on; empty if it
  // did not appear within 10 s.
  std::string waitForLog(const std::string& marker) {
    for (auto deadline = Clock::now() + std::chrono::seconds(10); Clock::now() < deadline;) {
      std::string text = containerd_->fullLog();
      if (auto at = text.find(marker); at != std::string::npos) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let the reload finish and log
        return containerd_->fullLog().substr(at);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return "";
  }

  void importBoth() {
    fs::path agentImages = *dir_ / "agent/images";
    fs::create_directories(agentImages);
    fs::copy_file(kImagesDir / "busybox.tar", agentImages / "busybox.tar", fs::copy_options::overwrite_existing);
    auto report = kubelet::images::importStartupImages(options_, agentImages);
    ASSERT_TRUE(report) << report.error().message;
    ASSERT_TRUE(report->failed.empty()) << report->failed[0].second.message;
  }

  static inline fs::path* dir_ = nullptr;
  static inline NetNs* ns_ = nullptr;
  static inline Containerd* containerd_ = nullptr;
  static inline std::string* startError_ = nullptr;
  kubelet::images::ImportOptions options_;
};

TEST_F(NodeImages, StartupImportBringsInPauseAndTheAgentImagesDirectory) {
  // busybox as a zstd-compressed archive, as k3s's air-gap bundles come.
  fs::path agentImages = *dir_ / "agent/images-zst";
  fs::create_directories(agentImages);
  std::string tar = *pki::readFile(kImagesDir / "busybox.tar");
  std::string zst(ZSTD_compressBound(tar.size()), '\0');
  zst.resize(ZSTD_compress(zst.data(), zst.size(), tar.data(), tar.size(), 3));
  ASSERT_TRUE(pki::writeFileAtomic(agentImages / "busybox.tar.zst", zst, 0644));
  auto start = Clock::now();
  auto report = kubelet::images::importStartupImages(options_, agentImages);
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->failed.empty());
  ASSERT_EQ(report->imported.size(), 2u);
  EXPECT_EQ(report->imported[0].images, std::vector<std::string>{kPauseImage});
  EXPECT_EQ(report->imported[1].images, std::vector<std::string>{kBusyboxImage});
  std::printf("startup import: pause %lld ms, busybox %lld ms, total %lld ms\n",
              static_cast<long long>(report->imported[0].took.count()),
              static_cast<long long>(report->imported[1].took.count()), static_cast<long long>(took.count()));

  auto names = imageNames();
  EXPECT_NE(std::find(names.begin(), names.end(), kPauseImage), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), kBusyboxImage), names.end());
  // CRI sees them: containerd's CRI plugin labels the images it manages.
  auto ls = run(containerd_->ctr({"images", "ls"}));
  ASSERT_TRUE(ls && ls->succeeded());
  EXPECT_NE(ls->out.find("io.cri-containerd.image=managed"), std::string::npos) << ls->out;
}

TEST_F(NodeImages, KcppImagesImportCommand) {
  auto rm = run(containerd_->ctr({"images", "rm", kBusyboxImage}));
  (void)rm;
  auto ok = run({kKcpp, "images", "import", "--address", options_.address, (kImagesDir / "busybox.tar").string()});
  ASSERT_TRUE(ok && ok->succeeded()) << joined(ok);
  EXPECT_EQ(ok->out, std::string("imported ") + kBusyboxImage + "\n");
  auto names = imageNames();
  EXPECT_NE(std::find(names.begin(), names.end(), kBusyboxImage), names.end());

  // The kcpp binary's own pause archive: the same bytes the build wrote.
  auto pause = run({kKcpp, "images", "import", "--pause", "--address", options_.address});
  ASSERT_TRUE(pause && pause->succeeded()) << joined(pause);
  EXPECT_EQ(pause->out, std::string("imported ") + kPauseImage + "\n");
  EXPECT_EQ(kubelet::images::pauseImageArchive()->bytes, *pki::readFile(kImagesDir / "pause.tar"));
}

TEST_F(NodeImages, BadArchivesGiveClearErrors) {
  fs::path text = *dir_ / "notes.tar";
  ASSERT_TRUE(pki::writeFileAtomic(text, "not an archive\n", 0644));
  auto r = run({kKcpp, "images", "import", "--address", options_.address, text.string()});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->exitCode, 1);
  EXPECT_EQ(r->err, "error: " + text.string() + " is not an image archive (neither a tar nor a gzip- or zstd-compressed tar file)\n");

  // A tar, but not an image: containerd's own reason.
  kubelet::images::TarTree tree;
  ASSERT_TRUE(tree.addFile("hello.txt", "hi\n"));
  fs::path plain = *dir_ / "plain.tar";
  ASSERT_TRUE(pki::writeFileAtomic(plain, *tree.write(), 0644));
  r = run({kKcpp, "images", "import", "--address", options_.address, plain.string()});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->exitCode, 1);
  EXPECT_EQ(r->err, "error: importing " + plain.string() + ": ctr: unrecognized image format\n");

  r = run({kKcpp, "images", "import", "--address", options_.address, (*dir_ / "missing.tar").string()});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->exitCode, 1);
  EXPECT_NE(r->err.find("missing.tar does not exist"), std::string::npos) << r->err;

  std::string down = (*dir_ / "down.sock").string();
  r = run({kKcpp, "images", "import", "--address", down, (kImagesDir / "busybox.tar").string()});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->exitCode, 1);
  EXPECT_EQ(r->err, "error: containerd is not answering at " + down + ": No such file or directory (is it running?)\n");
}

// A `docker save` archive (manifest.json + <id>.json + <layer>/layer.tar),
// gzip-compressed, holding the pause binary.
std::string dockerSaveArchive(const std::string& repoTag) {
  kubelet::images::ImageSpec spec;
  spec.reference = repoTag;
  EXPECT_TRUE(spec.rootfs.addFile("pause", std::string(kubelet::images::pauseBinary()), 0755));
  spec.config.entrypoint = {"/pause"};
  auto oci = kubelet::images::buildOciArchive(spec);
  EXPECT_TRUE(oci);
  std::map<std::string, std::string> blobs;
  auto entries = kubelet::images::readTar(oci->bytes);
  EXPECT_TRUE(entries);
  for (auto& e : *entries) blobs[e.path] = e.content;
  std::string configHex = oci->configDigest.substr(7);
  std::string layerHex = oci->diffId.substr(7);
  kubelet::images::TarTree docker;
  EXPECT_TRUE(docker.addFile(configHex + ".json", blobs["blobs/sha256/" + configHex]));
  EXPECT_TRUE(docker.addFile(layerHex + "/layer.tar",
                             *kubelet::images::gzipDecompress(blobs["blobs/sha256/" + oci->layerDigest.substr(7)])));
  json::array manifest{json::object{{"Config", configHex + ".json"},
                                    {"RepoTags", json::array{json::value(repoTag)}},
                                    {"Layers", json::array{json::value(layerHex + "/layer.tar")}}}};
  EXPECT_TRUE(docker.addFile("manifest.json", json::serialize(manifest)));
  return *kubelet::images::gzipCompress(*docker.write());
}

TEST_F(NodeImages, DockerSaveArchivesGzipCompressed) {
  const std::string ref = "docker.io/kcpp/docker-format:1";
  fs::path archive = *dir_ / "docker-format.tar.gz";
  ASSERT_TRUE(pki::writeFileAtomic(archive, dockerSaveArchive(ref), 0644));
  auto r = run({kKcpp, "images", "import", "--address", options_.address, archive.string()});
  ASSERT_TRUE(r && r->succeeded()) << joined(r);
  EXPECT_EQ(r->out, "imported " + ref + "\n");
  auto names = imageNames();
  EXPECT_NE(std::find(names.begin(), names.end(), ref), names.end());
  auto ran = run(containerd_->ctr({"run", "--rm", ref, uniqueName("docker-format-"), "/pause", "-v"}));
  ASSERT_TRUE(ran && ran->succeeded()) << joined(ran);
  EXPECT_EQ(ran->out, "kcpp pause 3.9\n");
}

TEST_F(NodeImages, BusyboxRunsEcho) {
  importBoth();
  std::string id = uniqueName("echo-");
  auto r = run(containerd_->ctr({"run", "--rm", kBusyboxImage, id, "busybox", "echo", "ok"}));
  ASSERT_TRUE(r && r->succeeded()) << joined(r);
  EXPECT_EQ(r->out, "ok\n");
}

// The process IDs of `pid`'s children.
std::vector<pid_t> childrenOf(pid_t pid) {
  auto text = pki::readFile("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  std::vector<pid_t> out;
  if (!text) return out;
  std::istringstream in(*text);
  for (pid_t child; in >> child;) out.push_back(child);
  return out;
}

// kcpp's pause as PID 1 of a new PID namespace (as in a pod sandbox): orphans
// re-parented to it are reaped, and SIGTERM ends it with status 0.
TEST_F(NodeImages, PauseReapsOrphansAndStopsOnSigterm) {
  std::vector<std::string> argv = {"unshare", "--pid", "--fork", KCPP_PAUSE_BINARY};
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t unshare = -1;
  ASSERT_EQ(::posix_spawnp(&unshare, args[0], nullptr, nullptr, args.data(), environ), 0);
  pid_t pause = -1;
  for (auto deadline = Clock::now() + std::chrono::seconds(10); Clock::now() < deadline && pause < 0;) {
    auto kids = childrenOf(unshare);
    if (!kids.empty()) pause = kids[0];
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_GT(pause, 0) << "pause did not start";
  // A shell inside pause's PID namespace leaves a background child behind: it
  // is re-parented to pause (PID 1 there) and must not stay a zombie.
  auto orphan = run({"nsenter", "--target", std::to_string(pause), "--pid", "--", "sh", "-c", "sleep 0.2 & exit 0"});
  ASSERT_TRUE(orphan && orphan->succeeded()) << joined(orphan);
  bool reaped = false;
  for (auto deadline = Clock::now() + std::chrono::seconds(10); Clock::now() < deadline && !reaped;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    reaped = childrenOf(pause).empty();
  }
  EXPECT_TRUE(reaped) << "pause left children behind";

  ASSERT_EQ(::kill(pause, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(unshare, &status, 0), unshare);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// A detached container, killed and removed by the test.
class Task {
 public:
  Task(const Containerd& c, std::string id) : c_(c), id_(std::move(id)) {}
  ~Task() {
    (void)run(c_.ctr({"task", "kill", "--signal", "SIGKILL", id_}));
    for (int i = 0; i < 50; ++i) {
      auto rm = run(c_.ctr({"task", "rm", id_}));
      if (!rm || rm->succeeded() || rm->err.find("not found") != std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    (void)run(c_.ctr({"container", "rm", id_}));
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  const std::string& id() const { return id_; }

 private:
  const Containerd& c_;
  std::string id_;
};

std::string ipOf(const json::object& result) {
  std::string cidr(result.at("ips").as_array().at(0).at("address").as_string());
  return cidr.substr(0, cidr.find('/'));
}

TEST_F(NodeImages, PodNetworkFromTheConflistServesHttpPodToPodAndThroughHostPort) {
  importBoth();
  kubelet::network::CniOptions cni;
  cni.podCidrs = {"10.88.7.0/24"};
  cni.ipamDataDir = (*dir_ / "agent/cni/networks").string();
  fs::path confDir = containerd_->cniConfDir();
  auto written = kubelet::network::writeCniConflist(confDir, cni);
  ASSERT_TRUE(written && *written);
  json::object conflist = json::parse(*pki::readFile(confDir / kubelet::network::kConflistName)).as_object();
  // containerd's CRI plugin reloads it (the atomic rename is what it reacts to) without error.
  std::string reloaded = waitForLog("receiving change event from cni conf dir: RENAME");
  ASSERT_FALSE(reloaded.empty()) << containerd_->log();
  EXPECT_EQ(reloaded.find("failed to reload cni configuration"), std::string::npos) << reloaded;

  NetNs serverNs(uniqueName("kcpp-pod-"));
  NetNs clientNs(uniqueName("kcpp-pod-"));
  ASSERT_TRUE(serverNs.ok() && clientNs.ok());
  CniChain serverNet(*ns_, conflist, "server-" + serverNs.name(), serverNs.path());
  CniChain clientNet(*ns_, conflist, "client-" + clientNs.name(), clientNs.path());
  json::object hostPort = json::parse(
      R"({"portMappings":[{"hostPort":18080,"containerPort":8080,"protocol":"tcp"}]})").as_object();
  auto start = Clock::now();
  auto serverResult = serverNet.add(hostPort);
  auto cniMs = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  ASSERT_TRUE(serverResult) << serverResult.error().message;
  auto clientResult = clientNet.add(json::object{});
  ASSERT_TRUE(clientResult) << clientResult.error().message;
  std::string serverIp = ipOf(*serverResult);
  std::string clientIp = ipOf(*clientResult);
  EXPECT_TRUE(serverIp.starts_with("10.88.7.")) << serverIp;
  EXPECT_NE(serverIp, clientIp);
  std::printf("CNI ADD (bridge+host-local+portmap): %lld ms; server %s, client %s\n",
              static_cast<long long>(cniMs), serverIp.c_str(), clientIp.c_str());

  Task server(*containerd_, uniqueName("web-"));
  auto started = run(containerd_->ctr({"run", "-d", "--with-ns", "network:" + serverNs.path(), kBusyboxImage,
                                       server.id(), "httpd", "-f", "-p", "8080", "-h", "/var/www"}));
  ASSERT_TRUE(started && started->succeeded()) << joined(started);

  // From the node: the pod IP over the cni0 bridge (wait for httpd to listen).
  Result<kubelet::images::ProcessOutcome> fetched = makeError(Reason::Timeout, "not tried");
  for (auto deadline = Clock::now() + std::chrono::seconds(20); Clock::now() < deadline;) {
    fetched = run(ns_->enter({"busybox", "wget", "-qO-", "http://" + serverIp + ":8080/"}));
    if (fetched && fetched->succeeded()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(fetched && fetched->succeeded()) << joined(fetched);
  EXPECT_EQ(fetched->out, "kcpp busybox\n");

  // From another pod, by pod IP.
  auto podToPod = run(containerd_->ctr({"run", "--rm", "--with-ns", "network:" + clientNs.path(), kBusyboxImage,
                                        uniqueName("client-"), "wget", "-qO-", "http://" + serverIp + ":8080/"}));
  ASSERT_TRUE(podToPod && podToPod->succeeded()) << joined(podToPod);
  EXPECT_EQ(podToPod->out, "kcpp busybox\n");

  // Through the hostPort on the node's address (the bridge's gateway IP): portmap's DNAT.
  std::string gateway = std::string(serverResult->at("ips").as_array().at(0).at("gateway").as_string());
  auto viaHostPort = run(containerd_->ctr({"run", "--rm", "--with-ns", "network:" + clientNs.path(), kBusyboxImage,
                                           uniqueName("client-"), "wget", "-qO-", "http://" + gateway + ":18080/"}));
  ASSERT_TRUE(viaHostPort && viaHostPort->succeeded()) << joined(viaHostPort);
  EXPECT_EQ(viaHostPort->out, "kcpp busybox\n");

  EXPECT_TRUE(clientNet.del());
  EXPECT_TRUE(serverNet.del());
}

}  // namespace
}  // namespace kcpp::test
