// The VolumeManager against a real in-process API server (ConfigMaps, Secrets,
// the TokenRequest API, PVs and PVCs), writing into a temp dir.
#include "kubelet/volumes/volume_manager.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "api/meta/object.h"
#include "apiserver/authn/service_account_token.h"
#include "client/rest/test_api_server.h"
#include "pki/base64.h"

namespace kcpp::kubelet::volumes {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

mode_t modeOf(const fs::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 07777;
}

class VolumeManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.handlerOptions.tokenRequest.signer =
        apiserver::ServiceAccountTokenSigner::generate(apiserver::kDefaultServiceAccountIssuer);
    server.handlerOptions.tokenRequest.apiAudiences = {apiserver::kDefaultServiceAccountIssuer};
    server.handlerOptions.tokenRequest.boundObjectUid =
        [this](const std::string&, const std::string& ns,
               const std::string& name) -> asio::awaitable<Result<std::string>> {
      auto found = co_await server.registry("pods").get(ns, name);
      if (!found) co_return std::move(found).error();
      auto obj = api::parseJson(*found->json);
      co_return std::string(obj->as_object().at("metadata").as_object().at("uid").as_string());
    };
    server.start();
    auto made = client::RestClient::create(io.get_executor(), server.kubeconfig());
    ASSERT_TRUE(made.ok());
    client = std::move(*made);
    manager = makeManager();
    create("serviceaccounts", json::parse(R"({"metadata":{"name":"default"}})").as_object());
  }

  std::unique_ptr<VolumeManager> makeManager() {
    VolumeManagerOptions options;
    options.podsDir = podsDir;
    options.secretsInMemory = false;  // no tmpfs left behind by a failing test
    options.clock = [this] { return std::chrono::system_clock::now() + clockOffset; };
    options.tokenJitter = [] { return 0s; };
    return std::make_unique<VolumeManager>(*client, std::move(options));
  }

  json::object create(const std::string& resource, json::object obj, const std::string& ns = "default") {
    client::ResourcePath path{"", "v1", resource, ns, "", "", ""};
    auto made = server.await(client->create(path, obj));
    KCPP_CHECK(made.ok(), "create");
    return *made;
  }

  json::object update(const std::string& resource, json::object obj, const std::string& ns = "default") {
    client::ResourcePath path{"", "v1", resource, ns, std::string(api::metaName(obj)), "", ""};
    auto done = server.await(client->update(path, obj));
    KCPP_CHECK(done.ok(), "update");
    return *done;
  }

  // A pod stored in the API (so tokens can be bound to it) with these volumes.
  json::object pod(const std::string& volumes, const std::string& mounts = "[]",
                   const std::string& extraContainer = "{}") {
    json::object p = json::parse(R"({"apiVersion":"v1","kind":"Pod",
      "metadata":{"name":"web","labels":{"app":"web","tier":"front"},"annotations":{"a":"b"}},
      "spec":{"containers":[{"name":"app","image":"busybox",
        "resources":{"limits":{"memory":"64Mi","cpu":"500m"}}}]}})").as_object();
    if (podCount++ > 0) p["metadata"].as_object()["name"] = "web-" + std::to_string(podCount);
    auto& spec = p["spec"].as_object();
    spec["volumes"] = json::parse(volumes);
    auto& c = spec["containers"].as_array()[0].as_object();
    c["volumeMounts"] = json::parse(mounts);
    json::value extra = json::parse(extraContainer);
    for (auto& [k, v] : extra.as_object()) c[k] = v;
    return create("pods", p);
  }

  Result<void> mount(const json::object& p) { return server.await(manager->mountPod(p)); }

  std::string uidOf(const json::object& p) {
    return std::string(api::findPath(p, "metadata.uid")->as_string());
  }

  asio::io_context io;
  client::testing::TestApiServer server{
      io, {"/configmaps", "/secrets", "/namespaces", "/serviceaccounts", "/pods",
           "/persistentvolumes", "/persistentvolumeclaims"}};
  client::RestClientPtr client;
  pki::TempDir dir;
  fs::path podsDir = dir.path() / "agent/pods";
  std::chrono::seconds clockOffset{0};
  int podCount = 0;
  std::unique_ptr<VolumeManager> manager;
};

TEST_F(VolumeManagerTest, ConfigMapVolumeItemsModesAndAtomicUpdate) {
  auto cm = create("configmaps", json::parse(R"({"metadata":{"name":"cfg"},
      "data":{"app.conf":"v1","other":"o"},"binaryData":{"bin":"AAEC"}})").as_object());
  auto p = pod(R"([{"name":"all","configMap":{"name":"cfg","defaultMode":288}},
                   {"name":"some","configMap":{"name":"cfg","items":[
                      {"key":"app.conf","path":"conf/app.conf","mode":256}]}}])");
  auto ok = mount(p);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  fs::path all = podsDir / uidOf(p) / "volumes/kubernetes.io~configmap/all";
  fs::path some = podsDir / uidOf(p) / "volumes/kubernetes.io~configmap/some";
  EXPECT_EQ(slurp(all / "app.conf"), "v1");
  EXPECT_EQ(slurp(all / "bin"), std::string("\0\1\2", 3));
  EXPECT_EQ(modeOf(all / "app.conf"), 0440u);  // defaultMode 288
  EXPECT_EQ(slurp(some / "conf/app.conf"), "v1");
  EXPECT_EQ(modeOf(some / "conf/app.conf"), 0400u);
  EXPECT_FALSE(fs::exists(some / "other"));
  EXPECT_EQ(fs::read_symlink(all / "app.conf"), fs::path("..data/app.conf"));
  fs::path before = fs::read_symlink(all / "..data");

  // The ConfigMap changes: a resync swaps ..data to a new directory in one step.
  cm["data"].as_object()["app.conf"] = "v2";
  cm["data"].as_object().erase("other");
  update("configmaps", cm);
  server.await([this]() -> asio::awaitable<int> { co_await manager->resyncAll(); co_return 0; }());
  EXPECT_EQ(slurp(all / "app.conf"), "v2");
  EXPECT_EQ(slurp(some / "conf/app.conf"), "v2");
  EXPECT_FALSE(fs::exists(fs::symlink_status(all / "other")));
  EXPECT_NE(fs::read_symlink(all / "..data"), before);
  EXPECT_FALSE(fs::exists(all / before));

  auto mounts = manager->mountsFor(p, "app");
  ASSERT_TRUE(mounts.ok());
}

TEST_F(VolumeManagerTest, MissingConfigMapOrKeyFailsUnlessOptional) {
  auto p = pod(R"([{"name":"cfg","configMap":{"name":"nope"}}])");
  auto r = mount(p);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "MountVolume.SetUp failed for volume \"cfg\" : configmaps \"nope\" not found");
  EXPECT_EQ(r.error().reason, Reason::NotFound);

  auto q = pod(R"([{"name":"cfg","configMap":{"name":"nope","optional":true}}])");
  EXPECT_TRUE(mount(q).ok());

  create("configmaps", json::parse(R"({"metadata":{"name":"cm"},"data":{"a":"1"}})").as_object());
  auto wrongKey = pod(R"([{"name":"cfg","configMap":{"name":"cm","items":[{"key":"b","path":"b"}]}}])");
  auto bad = mount(wrongKey);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "MountVolume.SetUp failed for volume \"cfg\" : configmap references non-existent config key: b");
}

TEST_F(VolumeManagerTest, SecretVolumeUpdatedInPlace) {
  auto secret = create("secrets", json::parse(R"({"metadata":{"name":"creds"},"type":"Opaque",
      "data":{"user":"YWRtaW4=","pass":"czNjcjN0"}})").as_object());
  auto p = pod(R"([{"name":"creds","secret":{"secretName":"creds","defaultMode":256,
                    "items":[{"key":"pass","path":"password"},{"key":"user","path":"username","mode":292}]}}])");
  ASSERT_TRUE(mount(p).ok());
  fs::path vol = podsDir / uidOf(p) / "volumes/kubernetes.io~secret/creds";
  EXPECT_EQ(slurp(vol / "password"), "s3cr3t");
  EXPECT_EQ(modeOf(vol / "password"), 0400u);
  EXPECT_EQ(slurp(vol / "username"), "admin");
  EXPECT_EQ(modeOf(vol / "username"), 0444u);
  secret["data"].as_object()["pass"] = pki::base64Encode("rotated");
  update("secrets", secret);
  // The pod worker's next sync (mountPod again) updates it in place.
  ASSERT_TRUE(mount(p).ok());
  EXPECT_EQ(slurp(vol / "password"), "rotated");
  auto mounts = manager->mountsFor(p, "app");
  ASSERT_TRUE(mounts.ok());
}

TEST_F(VolumeManagerTest, DefaultServiceAccountVolumeAndTokenRefresh) {
  create("configmaps", json::parse(R"({"metadata":{"name":"kube-root-ca.crt"},
      "data":{"ca.crt":"-----BEGIN CERTIFICATE-----\n"}})").as_object());
  // What the ServiceAccount admission plugin adds.
  auto p = pod(R"([{"name":"kube-api-access-x7k2p","projected":{"defaultMode":420,"sources":[
      {"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},
      {"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},
      {"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}]}}])",
               R"([{"name":"kube-api-access-x7k2p","mountPath":"/var/run/secrets/kubernetes.io/serviceaccount","readOnly":true}])");
  auto ok = mount(p);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  fs::path vol = podsDir / uidOf(p) / "volumes/kubernetes.io~projected/kube-api-access-x7k2p";
  EXPECT_EQ(slurp(vol / "namespace"), "default");
  EXPECT_EQ(slurp(vol / "ca.crt"), "-----BEGIN CERTIFICATE-----\n");
  std::string token = slurp(vol / "token");
  EXPECT_EQ(modeOf(vol / "token"), 0644u);
  ASSERT_EQ(std::count(token.begin(), token.end(), '.'), 2) << token;
  // The token is bound to this pod.
  std::string payload = token.substr(token.find('.') + 1);
  payload = payload.substr(0, payload.find('.'));
  for (auto& ch : payload) ch = ch == '-' ? '+' : ch == '_' ? '/' : ch;
  while (payload.size() % 4) payload += '=';
  auto claims = json::parse(*pki::base64Decode(payload)).as_object();
  EXPECT_EQ(api::findPath(claims, "kubernetes\\.io") == nullptr, true);
  const auto& k8s = claims.at("kubernetes.io").as_object();
  EXPECT_EQ(k8s.at("pod").as_object().at("name").as_string(), "web");
  EXPECT_EQ(k8s.at("pod").as_object().at("uid").as_string(), uidOf(p));
  EXPECT_EQ(claims.at("exp").as_int64() - claims.at("iat").as_int64(), 3607);

  auto mounts = manager->mountsFor(p, "app");
  ASSERT_TRUE(mounts.ok());
  ASSERT_EQ(mounts->size(), 1u);
  EXPECT_EQ((*mounts)[0].containerPath, "/var/run/secrets/kubernetes.io/serviceaccount");
  EXPECT_EQ((*mounts)[0].hostPath, vol.string());
  EXPECT_TRUE((*mounts)[0].readOnly);

  // Same token until 80% of 3607 s have passed, a fresh one after.
  clockOffset = 2800s;
  ASSERT_TRUE(mount(p).ok());
  EXPECT_EQ(slurp(vol / "token"), token);
  clockOffset = 2900s;
  std::this_thread::sleep_for(1100ms);  // a new iat: a different token
  ASSERT_TRUE(mount(p).ok());
  EXPECT_NE(slurp(vol / "token"), token);
}

TEST_F(VolumeManagerTest, DownwardApiVolume) {
  auto p = pod(R"([{"name":"info","downwardAPI":{"items":[
      {"path":"labels","fieldRef":{"fieldPath":"metadata.labels"}},
      {"path":"annotations","fieldRef":{"fieldPath":"metadata.annotations"}},
      {"path":"name","fieldRef":{"fieldPath":"metadata.name"}},
      {"path":"uid","fieldRef":{"fieldPath":"metadata.uid"},"mode":256},
      {"path":"mem","resourceFieldRef":{"containerName":"app","resource":"limits.memory","divisor":"1Mi"}},
      {"path":"cpu","resourceFieldRef":{"containerName":"app","resource":"limits.cpu","divisor":"1m"}}]}}])");
  ASSERT_TRUE(mount(p).ok());
  fs::path vol = podsDir / uidOf(p) / "volumes/kubernetes.io~downward-api/info";
  EXPECT_EQ(slurp(vol / "labels"), "app=\"web\"\ntier=\"front\"");
  EXPECT_EQ(slurp(vol / "annotations"), "a=\"b\"");
  EXPECT_EQ(slurp(vol / "name"), "web");
  EXPECT_EQ(slurp(vol / "uid"), uidOf(p));
  EXPECT_EQ(modeOf(vol / "uid"), 0400u);
  EXPECT_EQ(slurp(vol / "mem"), "64");
  EXPECT_EQ(slurp(vol / "cpu"), "500");
  // Labels change: the next mount rewrites the file.
  p["metadata"].as_object()["labels"].as_object()["tier"] = "back";
  ASSERT_TRUE(mount(p).ok());
  EXPECT_EQ(slurp(vol / "labels"), "app=\"web\"\ntier=\"back\"");
}

TEST_F(VolumeManagerTest, EmptyDirAndHostPath) {
  fs::path host = dir.path() / "host";
  auto p = pod(R"([{"name":"scratch","emptyDir":{}},
                   {"name":"logs","hostPath":{"path":")" + host.string() + R"(/logs","type":"DirectoryOrCreate"}}])",
               R"([{"name":"scratch","mountPath":"/scratch"},
                   {"name":"logs","mountPath":"/logs","mountPropagation":"HostToContainer"}])");
  ASSERT_TRUE(mount(p).ok());
  fs::path scratch = podsDir / uidOf(p) / "volumes/kubernetes.io~empty-dir/scratch";
  EXPECT_TRUE(fs::is_directory(scratch));
  EXPECT_EQ(modeOf(scratch), 0777u);
  EXPECT_TRUE(fs::is_directory(host / "logs"));
  auto mounts = manager->mountsFor(p, "app");
  ASSERT_TRUE(mounts.ok());
  ASSERT_EQ(mounts->size(), 2u);
  EXPECT_EQ((*mounts)[0].hostPath, scratch.string());
  EXPECT_FALSE((*mounts)[0].readOnly);
  EXPECT_EQ((*mounts)[1].hostPath, (host / "logs").string());
  EXPECT_EQ((*mounts)[1].propagation, "HostToContainer");

  std::ofstream(host / "file") << "x";
  auto bad = pod(R"([{"name":"h","hostPath":{"path":")" + (host / "file").string() + R"(","type":"Directory"}}])");
  auto r = mount(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "MountVolume.SetUp failed for volume \"h\" : hostPath type check failed: " +
                                   (host / "file").string() + " is not a directory");
}

TEST_F(VolumeManagerTest, MemoryEmptyDirIsTmpfsWithSizeLimit) {
  auto p = pod(R"([{"name":"mem","emptyDir":{"medium":"Memory","sizeLimit":"16Mi"}}])");
  auto r = mount(p);
  if (!r.ok() && r.error().message.find("needs a tmpfs mount") != std::string::npos) {
    GTEST_SKIP() << "mount not permitted here: " << r.error().message;
  }
  ASSERT_TRUE(r.ok()) << r.error().message;
  fs::path vol = podsDir / uidOf(p) / "volumes/kubernetes.io~empty-dir/mem";
  EXPECT_TRUE(systemMounter().isMountPoint(vol.string()));
  EXPECT_EQ(fs::space(vol).capacity, 16u * 1024 * 1024);
  ASSERT_TRUE(mount(p).ok());  // again: not mounted twice
  auto down = server.await(manager->unmountPod(uidOf(p)));
  ASSERT_TRUE(down.ok()) << down.error().message;
  EXPECT_FALSE(systemMounter().isMountPoint(vol.string()));
  EXPECT_FALSE(fs::exists(podsDir / uidOf(p)));
}

TEST_F(VolumeManagerTest, TmpfsIsMountedOnceThroughASymlinkedDataDir) {
  fs::create_directories(dir.path() / "real");
  fs::create_symlink(dir.path() / "real", dir.path() / "link");
  VolumeManagerOptions options;
  options.podsDir = dir.path() / "link/pods";
  VolumeManager m(*client, options);
  auto p = pod(R"([{"name":"mem","emptyDir":{"medium":"Memory","sizeLimit":"1Mi"}}])");
  auto r = server.await(m.mountPod(p));
  if (!r.ok()) GTEST_SKIP() << "mount not permitted here: " << r.error().message;
  ASSERT_TRUE(server.await(m.mountPod(p)).ok());
  ASSERT_TRUE(server.await(m.mountPod(p)).ok());
  std::string real = (fs::canonical(dir.path()) / "real/pods" / uidOf(p) / "volumes/kubernetes.io~empty-dir/mem").string();
  std::ifstream info("/proc/self/mountinfo");
  int mounts = 0;
  for (std::string line; std::getline(info, line);) {
    if (line.find(" " + real + " ") != std::string::npos) ++mounts;
  }
  EXPECT_EQ(mounts, 1);
  ASSERT_TRUE(server.await(m.unmountPod(uidOf(p))).ok());
  EXPECT_FALSE(systemMounter().isMountPoint(real));
}

TEST_F(VolumeManagerTest, MemoryEmptyDirFailsClearlyWhenMountIsRefused) {
  VolumeManagerOptions options;
  options.podsDir = podsDir;
  Mounter refusing = systemMounter();
  refusing.mountTmpfs = [](const std::string& path, std::optional<std::int64_t>) -> Result<void> {
    return makeError(Reason::InternalError, "mount -t tmpfs tmpfs " + path + ": Operation not permitted");
  };
  options.mounter = refusing;
  VolumeManager m(*client, options);
  auto p = pod(R"([{"name":"mem","emptyDir":{"medium":"Memory"}},{"name":"s","secret":{"secretName":"x","optional":true}}])");
  auto r = server.await(m.mountPod(p));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("MountVolume.SetUp failed for volume \"mem\" : emptyDir with medium "
                                   "Memory needs a tmpfs mount, which failed: mount -t tmpfs"),
            std::string::npos)
      << r.error().message;
  // Secrets fall back to disk (with a warning) rather than failing the pod.
  auto q = pod(R"([{"name":"s","secret":{"secretName":"x","optional":true}}])");
  EXPECT_TRUE(server.await(m.mountPod(q)).ok());
}

TEST_F(VolumeManagerTest, SubPathAndSubPathExpr) {
  create("configmaps", json::parse(R"({"metadata":{"name":"cfg"},"data":{"nginx.conf":"x"}})").as_object());
  auto p = pod(R"([{"name":"cfg","configMap":{"name":"cfg"}},{"name":"data","emptyDir":{}}])",
               R"J([{"name":"cfg","mountPath":"/etc/nginx/nginx.conf","subPath":"nginx.conf"},
                   {"name":"data","mountPath":"/data","subPathExpr":"pods/$(POD_NAME)"}])J",
               R"({"env":[{"name":"POD_NAME","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}]})");
  ASSERT_TRUE(mount(p).ok());
  auto mounts = manager->mountsFor(p, "app");
  ASSERT_TRUE(mounts.ok()) << mounts.error().message;
  fs::path base = fs::canonical(podsDir / uidOf(p) / "volumes");
  std::string cfg = (*mounts)[0].hostPath;
  EXPECT_EQ(slurp(cfg), "x");
  EXPECT_EQ(cfg.rfind((base / "kubernetes.io~configmap/cfg/..").string(), 0), 0u) << cfg;
  EXPECT_TRUE((*mounts)[0].readOnly);
  EXPECT_EQ((*mounts)[1].hostPath, (base / "kubernetes.io~empty-dir/data/pods/web").string());
  EXPECT_TRUE(fs::is_directory((*mounts)[1].hostPath));

  // A container planted a symlink to / in its emptyDir: the next container's
  // subPath through it is refused.
  fs::create_symlink("/", base / "kubernetes.io~empty-dir/data/escape");
  p["spec"].as_object()["containers"].as_array()[0].as_object()["volumeMounts"] =
      json::parse(R"([{"name":"data","mountPath":"/x","subPath":"escape/etc"}])");
  auto refused = manager->mountsFor(p, "app");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message, "failed to prepare subPath for volumeMount \"data\" of container \"app\"");
  p["spec"].as_object()["containers"].as_array()[0].as_object()["volumeMounts"] =
      json::parse(R"([{"name":"nope","mountPath":"/x"}])");
  auto missing = manager->mountsFor(p, "app");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "cannot find volume \"nope\" to mount into container \"app\"");
}

TEST_F(VolumeManagerTest, PersistentVolumeClaimToLocalPersistentVolume) {
  fs::path disk = dir.path() / "disk1";
  fs::create_directories(disk);
  auto pvc = create("persistentvolumeclaims", json::parse(R"({"metadata":{"name":"data"},
      "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}})").as_object());
  auto p = pod(R"([{"name":"data","persistentVolumeClaim":{"claimName":"data"}}])",
               R"([{"name":"data","mountPath":"/data"}])");
  auto unbound = mount(p);
  ASSERT_FALSE(unbound.ok());
  EXPECT_NE(unbound.error().message.find("PVC default/data has non-bound phase"), std::string::npos)
      << unbound.error().message;

  json::object pv = json::parse(R"({"metadata":{"name":"pv1"},"spec":{"capacity":{"storage":"1Gi"},
      "accessModes":["ReadWriteOnce"],"local":{"path":""},
      "nodeAffinity":{"required":{"nodeSelectorTerms":[{"matchExpressions":[
        {"key":"kubernetes.io/hostname","operator":"In","values":["n1"]}]}]}}}})").as_object();
  pv["spec"].as_object()["local"].as_object()["path"] = disk.string();
  pv["spec"].as_object()["claimRef"] = json::object{{"namespace", "default"}, {"name", "data"},
                                                    {"uid", pvc["metadata"].as_object()["uid"]}};
  create("persistentvolumes", pv, "");
  pvc["spec"].as_object()["volumeName"] = "pv1";
  pvc = update("persistentvolumeclaims", pvc);
  pvc["status"] = json::object{{"phase", "Bound"}};
  client::ResourcePath status{"", "v1", "persistentvolumeclaims", "default", "data", "status", ""};
  ASSERT_TRUE(server.await(client->update(status, pvc)).ok());

  auto ok = mount(p);  // the pod worker's retry
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  auto mounts = manager->mountsFor(p, "app");
  ASSERT_TRUE(mounts.ok());
  EXPECT_EQ((*mounts)[0].hostPath, disk.string());
}

TEST_F(VolumeManagerTest, TeardownAndOrphanCleanup) {
  auto p = pod(R"([{"name":"scratch","emptyDir":{}}])");
  ASSERT_TRUE(mount(p).ok());
  fs::create_directories(podsDir / "orphan-uid/volumes/kubernetes.io~empty-dir/x");
  server.await([&]() -> asio::awaitable<int> {
    std::set<std::string> active{uidOf(p)};
    co_await manager->cleanupOrphanedPodDirs(active);
    co_return 0;
  }());
  EXPECT_FALSE(fs::exists(podsDir / "orphan-uid"));
  EXPECT_TRUE(fs::exists(podsDir / uidOf(p)));
  ASSERT_TRUE(server.await(manager->unmountPod(uidOf(p))).ok());
  EXPECT_FALSE(fs::exists(podsDir / uidOf(p)));
  EXPECT_FALSE(manager->mounted(uidOf(p)));
  EXPECT_FALSE(manager->mountsFor(p, "app").ok());
}

}  // namespace
}  // namespace kcpp::kubelet::volumes
