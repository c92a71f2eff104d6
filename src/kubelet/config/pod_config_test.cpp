// Static pods, PodConfig's merge and mirror pods.
#include "kubelet/config/pod_config.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <fstream>

#include "api/meta/object.h"
#include "client/rest/test_api_server.h"
#include "kubelet/config/mirror_pods.h"
#include "kubelet/config/static_pods.h"
#include "pki/test_temp_dir.h"

namespace kcpp::kubelet::config {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

const char* kManifest = R"(apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: c
    image: docker.io/kcpp/busybox:1.35
    command: ["sleep", "3600"]
)";

std::string str(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

std::string ann(const json::object& pod, const char* key) {
  const json::value* a = api::findPath(pod, "metadata.annotations");
  if (!a || !a->is_object() || !a->get_object().contains(key)) return "";
  return std::string(a->get_object().at(key).as_string());
}

TEST(StaticPods, NameNamespaceUidHashAndDefaults) {
  auto pod = staticPodFromManifest(kManifest, "/etc/manifests/web.yaml", "Node-A");
  ASSERT_TRUE(pod.ok()) << pod.error().message;
  EXPECT_EQ(str(*pod, "metadata.name"), "web-node-a");
  EXPECT_EQ(str(*pod, "metadata.namespace"), "default");
  EXPECT_EQ(str(*pod, "spec.nodeName"), "Node-A");
  std::string uid = str(*pod, "metadata.uid");
  EXPECT_EQ(uid.size(), 32u);
  EXPECT_EQ(ann(*pod, kConfigHashAnnotation), uid);
  EXPECT_EQ(str(*pod, "status.phase"), "Pending");
  EXPECT_EQ(api::findPath(*pod, "spec.containers")->as_array()[0].as_object().at("imagePullPolicy").as_string(),
            "IfNotPresent");
  const json::array& tolerations = api::findPath(*pod, "spec.tolerations")->as_array();
  ASSERT_EQ(tolerations.size(), 1u);
  EXPECT_EQ(json::serialize(tolerations[0]), R"({"operator":"Exists","effect":"NoExecute"})");

  // Same file, same node: same uid. Another node, another file or an edit: another uid.
  EXPECT_EQ(str(*staticPodFromManifest(kManifest, "/etc/manifests/web.yaml", "Node-A"), "metadata.uid"), uid);
  EXPECT_NE(str(*staticPodFromManifest(kManifest, "/etc/manifests/web.yaml", "node-b"), "metadata.uid"), uid);
  EXPECT_NE(str(*staticPodFromManifest(kManifest, "/etc/manifests/other.yaml", "Node-A"), "metadata.uid"), uid);
  std::string edited = kManifest;
  edited.replace(edited.find("3600"), 4, "3601");
  EXPECT_NE(str(*staticPodFromManifest(edited, "/etc/manifests/web.yaml", "Node-A"), "metadata.uid"), uid);
  // A uid in the manifest is kept; a namespace too.
  auto withUid = staticPodFromManifest(
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"kube-system","uid":"fixed"},
          "spec":{"containers":[{"name":"c","image":"i"}]}})",
      "/m/p.json", "n");
  ASSERT_TRUE(withUid.ok());
  EXPECT_EQ(str(*withUid, "metadata.uid"), "fixed");
  EXPECT_EQ(str(*withUid, "metadata.namespace"), "kube-system");
}

TEST(StaticPods, BadManifests) {
  EXPECT_EQ(staticPodFromManifest("kind: Service\nmetadata: {name: x}\n", "/m/x", "n").error().message,
            "static pod manifest /m/x: kind is \"Service\", want \"Pod\"");
  EXPECT_EQ(staticPodFromManifest("kind: Pod\nspec: {containers: [{name: c, image: i}]}\n", "/m/x", "n")
                .error().message,
            "static pod manifest /m/x: metadata.name: Required value: name or generateName is required");
  EXPECT_EQ(staticPodFromManifest("kind: Pod\nmetadata: {name: x}\nspec: {}\n", "/m/x", "n").error().message,
            "static pod manifest /m/x: spec.containers: Required value");
  EXPECT_FALSE(staticPodFromManifest("- a\n- b\n", "/m/x", "n").ok());
  EXPECT_FALSE(staticPodFromManifest("{{{", "/m/x", "n").ok());
}

TEST(StaticPods, Fnv128a) {
  EXPECT_EQ(fnv128aHex(""), "6c62272e07bb014262b821756295c58d");  // the offset basis
  EXPECT_EQ(fnv128aHex("a"), "d228cb696f1a8caf78912b704e4a8964");
}

json::object apiPod(const std::string& name, const std::string& uid) {
  return json::object{{"metadata", json::object{{"name", name}, {"namespace", "default"}, {"uid", uid}}},
                      {"spec", json::object{{"containers", json::array{json::object{{"name", "c"}}}}}},
                      {"status", json::object{{"phase", "Pending"}}}};
}

TEST(PodConfig, AddUpdateDeleteReconcileRemove) {
  std::vector<std::pair<std::string, std::vector<std::string>>> seen;
  PodUpdateFunction handler([&](const PodUpdate& u) {
    std::vector<std::string> names;
    for (const auto& p : u.pods) names.push_back(std::string(api::metaName(p)));
    seen.emplace_back(operationName(u.op), names);
  });
  PodConfig config(handler);
  EXPECT_FALSE(config.seenAllSources({kApiSource}));
  config.setPods(kApiSource, {apiPod("a", "1"), apiPod("b", "2")});
  EXPECT_TRUE(config.seenAllSources({kApiSource}));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].first, "ADD");
  EXPECT_EQ(seen[0].second, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ann(config.pods()[0], kConfigSourceAnnotation), "api");
  std::string firstSeen = ann(config.pods()[0], kConfigSeenAnnotation);
  EXPECT_FALSE(firstSeen.empty());

  // Same pods again: nothing. Status only: RECONCILE. Labels: UPDATE. deletionTimestamp: DELETE.
  seen.clear();
  config.setPods(kApiSource, {apiPod("a", "1"), apiPod("b", "2")});
  EXPECT_TRUE(seen.empty());
  json::object running = apiPod("a", "1");
  running["status"].as_object()["phase"] = "Running";
  json::object labelled = apiPod("b", "2");
  labelled["metadata"].as_object()["labels"] = json::object{{"x", "y"}};
  config.setPods(kApiSource, {running, labelled});
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], (std::pair<std::string, std::vector<std::string>>{"UPDATE", {"b"}}));
  EXPECT_EQ(seen[1], (std::pair<std::string, std::vector<std::string>>{"RECONCILE", {"a"}}));
  seen.clear();
  labelled["metadata"].as_object()["deletionTimestamp"] = "2030-01-01T00:00:00Z";
  config.setPods(kApiSource, {running, labelled});
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], (std::pair<std::string, std::vector<std::string>>{"DELETE", {"b"}}));
  // The first-seen time stays.
  for (const auto& p : config.pods()) {
    if (api::metaName(p) == "a") {
      EXPECT_EQ(ann(p, kConfigSeenAnnotation), firstSeen);
    }
  }
  seen.clear();
  config.setPods(kApiSource, {running});
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], (std::pair<std::string, std::vector<std::string>>{"REMOVE", {"b"}}));
  // A new uid under an old name (an edited static pod): REMOVE the old, ADD the new.
  seen.clear();
  config.setPods(kApiSource, {apiPod("a", "9")});
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].first, "REMOVE");
  EXPECT_EQ(seen[1].first, "ADD");
  // Two pods of one name in one source: the first wins.
  seen.clear();
  config.setPods(kFileSource, {apiPod("s", "10"), apiPod("s", "11")});
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].second.size(), 1u);
  EXPECT_EQ(config.pods().size(), 2u);
}

TEST(PodConfig, SemanticDifferenceIgnoresLocalAnnotations) {
  json::object a = apiPod("a", "1"), b = apiPod("a", "1");
  a["metadata"].as_object()["annotations"] = json::object{{kConfigSeenAnnotation, "t1"}};
  b["metadata"].as_object()["annotations"] = json::object{{kConfigSeenAnnotation, "t2"}, {kConfigSourceAnnotation, "api"}};
  EXPECT_FALSE(podsDifferSemantically(a, b));
  b["metadata"].as_object()["annotations"].as_object()["other"] = "x";
  EXPECT_TRUE(podsDifferSemantically(a, b));
}

TEST(MirrorPods, Construction) {
  auto pod = staticPodFromManifest(kManifest, "/m/web.yaml", "node-a");
  ASSERT_TRUE(pod.ok());
  json::object mirror = mirrorPodFor(*pod, "node-a", "node-uid");
  EXPECT_FALSE(api::findPath(mirror, "metadata.uid"));
  EXPECT_FALSE(mirror.contains("status"));
  EXPECT_EQ(ann(mirror, kConfigMirrorAnnotation), str(*pod, "metadata.uid"));
  EXPECT_EQ(ann(mirror, kConfigHashAnnotation), str(*pod, "metadata.uid"));
  EXPECT_EQ(json::serialize(*api::findPath(mirror, "metadata.ownerReferences")),
            R"([{"apiVersion":"v1","kind":"Node","name":"node-a","uid":"node-uid","controller":true}])");
  EXPECT_TRUE(isMirrorPod(mirror));
  EXPECT_FALSE(isMirrorPod(*pod));
  EXPECT_EQ(str(mirror, "metadata.name"), "web-node-a");
}

class MirrorPodManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    auto made = client::RestClient::create(io.get_executor(), server.kubeconfig());
    ASSERT_TRUE(made.ok());
    restClient = std::move(*made);
    json::object ns{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", json::object{{"name", "default"}}}};
    ASSERT_TRUE(server.await(restClient->create({"", "v1", "namespaces", "", "", "", ""}, ns)).ok());
    manager = std::make_unique<MirrorPodManager>(*restClient, io.get_executor(), "node-a",
                                                 [this] { return nodeUid; });
    asio::co_spawn(io, manager->run(), asio::detached);
  }
  void TearDown() override {
    manager->stop();
    server.runFor(200ms);
  }
  std::optional<json::object> mirror() {
    auto got = server.await(restClient->get({"", "v1", "pods", "default", "web-node-a", "", ""}));
    if (!got) return std::nullopt;
    return std::move(*got);
  }
  // What the API source would hand over after each change.
  void feedMirrors() {
    auto m = mirror();
    manager->setMirrorPods(m ? std::vector<json::object>{*m} : std::vector<json::object>{});
  }

  asio::io_context io;
  client::testing::TestApiServer server{io, {"/namespaces", "/pods"}};
  client::RestClientPtr restClient;
  std::unique_ptr<MirrorPodManager> manager;
  std::string nodeUid;
};

TEST_F(MirrorPodManagerTest, CreatesRecreatesReplacesAndDeletes) {
  auto pod = staticPodFromManifest(kManifest, "/m/web.yaml", "node-a");
  ASSERT_TRUE(pod.ok());
  manager->setStaticPods({*pod});
  server.runFor(300ms);
  EXPECT_FALSE(mirror()) << "no mirror before the Node is registered";
  nodeUid = "node-uid";
  manager->nodeRegistered();
  server.runFor(3s, [&] { return mirror().has_value(); });
  auto first = mirror();
  ASSERT_TRUE(first);
  std::string firstUid = str(*first, "metadata.uid");
  feedMirrors();

  // Deleted through the API (graceful: a deletionTimestamp): deleted at once and made again, with a new uid.
  json::object deleting = *first;
  deleting["metadata"].as_object()["deletionTimestamp"] = "2030-01-01T00:00:00Z";
  manager->setMirrorPods({deleting});
  server.runFor(3s, [&]() -> bool {
    auto m = mirror();
    return m && str(*m, "metadata.uid") != firstUid;
  });
  auto second = mirror();
  ASSERT_TRUE(second);
  EXPECT_NE(str(*second, "metadata.uid"), firstUid);
  EXPECT_EQ(ann(*second, kConfigMirrorAnnotation),
            str(*pod, "metadata.uid"));
  feedMirrors();

  // The static pod changed: the mirror is replaced by one with the new hash.
  std::string edited = kManifest;
  edited.replace(edited.find("3600"), 4, "3601");
  auto changed = staticPodFromManifest(edited, "/m/web.yaml", "node-a");
  manager->setStaticPods({*changed});
  std::string newHash = str(*changed, "metadata.uid");
  server.runFor(3s, [&]() -> bool {
    auto m = mirror();
    return m && ann(*m, kConfigMirrorAnnotation) == newHash;
  });
  auto third = mirror();
  ASSERT_TRUE(third);
  EXPECT_EQ(ann(*third, kConfigMirrorAnnotation), newHash);
  feedMirrors();

  // The file went: the mirror goes.
  manager->setStaticPods({});
  server.runFor(3s, [&] { return !mirror().has_value(); });
  EXPECT_FALSE(mirror());
}

TEST_F(MirrorPodManagerTest, KeepsMirrorsUntilTheManifestsWereRead) {
  // A restarted kubelet sees the API's mirrors before it read its manifests:
  // they must not be taken for orphans.
  nodeUid = "node-uid";
  auto pod = staticPodFromManifest(kManifest, "/m/web.yaml", "node-a");
  auto created = server.await(restClient->create({"", "v1", "pods", "default", "", "", ""},
                                                 mirrorPodFor(*pod, "node-a", nodeUid)));
  ASSERT_TRUE(created.ok()) << created.error().message;
  manager->setMirrorPods({*created});
  server.runFor(300ms);
  ASSERT_TRUE(mirror());
  manager->setStaticPods({*pod});
  server.runFor(300ms);
  auto kept = mirror();
  ASSERT_TRUE(kept);
  EXPECT_EQ(str(*kept, "metadata.uid"), str(*created, "metadata.uid"));  // the same mirror, not remade
  manager->setStaticPods({});
  server.runFor(3s, [&] { return !mirror().has_value(); });
  EXPECT_FALSE(mirror());
}

TEST(FileSourceTest, ReadsTheFolderAndSkipsHiddenAndBadFiles) {
  pki::TempDir dir;
  std::ofstream(dir.path() / "web.yaml") << kManifest;
  std::ofstream(dir.path() / ".web.yaml.swp") << kManifest;
  std::ofstream(dir.path() / "bad.yaml") << "kind: Pod\n";
  asio::io_context io;
  std::vector<json::object> got;
  FileSource source(io.get_executor(), dir.path(), "node-a", [&](std::vector<json::object> pods) { got = pods; });
  source.rescan();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(str(got[0], "metadata.name"), "web-node-a");
  // Half-written (empty) files keep the pod they last described.
  std::ofstream(dir.path() / "web.yaml", std::ios::trunc).flush();
  source.rescan();
  EXPECT_EQ(got.size(), 1u);
  std::filesystem::remove(dir.path() / "web.yaml");
  source.rescan();
  EXPECT_TRUE(got.empty());
}

}  // namespace
}  // namespace kcpp::kubelet::config
