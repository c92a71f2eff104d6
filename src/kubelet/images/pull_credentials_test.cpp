#include "kubelet/images/pull_credentials.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>

#include "pki/base64.h"

namespace kcpp::kubelet::images {
namespace {

namespace json = boost::json;

json::object secret(const std::string& name, const std::string& type, const std::string& key,
                    const std::string& payload) {
  json::object s;
  s["apiVersion"] = "v1";
  s["kind"] = "Secret";
  s["metadata"] = json::object{{"name", name}, {"namespace", "default"}};
  s["type"] = type;
  s["data"] = json::object{{key, pki::base64Encode(payload)}};
  return s;
}

json::object dockerConfigJson(const std::string& name, const std::string& auths) {
  return secret(name, "kubernetes.io/dockerconfigjson", ".dockerconfigjson", R"({"auths":)" + auths + "}");
}

json::object dockercfg(const std::string& name, const std::string& registries) {
  return secret(name, "kubernetes.io/dockercfg", ".dockercfg", registries);
}

std::string auth(const std::string& user, const std::string& pass) { return pki::base64Encode(user + ":" + pass); }

std::vector<std::string> users(const Result<std::vector<RegistryCredentials>>& r) {
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  std::vector<std::string> out;
  if (r) for (const auto& c : *r) out.push_back(c.username);
  return out;
}

TEST(PullCredentials, DockerConfigJsonWithUsernameAndPassword) {
  std::vector<json::object> secrets = {
      dockerConfigJson("regcred", R"({"registry.example.com":{"username":"alice","password":"s3cret"}})")};
  auto r = pullCredentials(secrets, "registry.example.com/team/app:1.0");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0], (RegistryCredentials{"alice", "s3cret", ""}));
  EXPECT_TRUE(pullCredentials(secrets, "other.example.com/team/app:1.0")->empty());
  EXPECT_TRUE(pullCredentials(secrets, "nginx")->empty());
}

TEST(PullCredentials, AuthFieldOverridesUsernameAndPassword) {
  std::string a = auth("bob", "pa:ss");  // only the first ':' separates
  std::vector<json::object> secrets = {dockerConfigJson(
      "regcred", R"({"https://registry.example.com":{"username":"ignored","password":"x","auth":")" + a + R"("}})")};
  auto r = pullCredentials(secrets, "registry.example.com/app");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0], (RegistryCredentials{"bob", "pa:ss", a}));
}

TEST(PullCredentials, DockercfgSecrets) {
  std::vector<json::object> secrets = {
      dockercfg("old", R"({"quay.io":{"auth":")" + auth("q", "p") + R"(","email":"q@example.com"}})")};
  EXPECT_EQ(users(pullCredentials(secrets, "quay.io/coreos/etcd:v3")), std::vector<std::string>{"q"});
}

TEST(PullCredentials, DockerHubKeysServeDockerIoImages) {
  // Docker writes Hub credentials under "https://index.docker.io/v1/".
  std::vector<json::object> secrets = {
      dockerConfigJson("hub", R"({"https://index.docker.io/v1/":{"username":"hub","password":"p"}})")};
  EXPECT_EQ(users(pullCredentials(secrets, "nginx")), std::vector<std::string>{"hub"});
  EXPECT_EQ(users(pullCredentials(secrets, "library/nginx:1.25")), std::vector<std::string>{"hub"});
  EXPECT_EQ(users(pullCredentials(secrets, "docker.io/someone/app")), std::vector<std::string>{"hub"});
  EXPECT_EQ(users(pullCredentials(secrets, "index.docker.io/someone/app")), std::vector<std::string>{"hub"});
  EXPECT_TRUE(pullCredentials(secrets, "quay.io/someone/app")->empty());

  // A "docker.io" key matches docker.io images directly.
  secrets = {dockerConfigJson("hub2", R"({"docker.io":{"username":"dio","password":"p"}})")};
  EXPECT_EQ(users(pullCredentials(secrets, "busybox")), std::vector<std::string>{"dio"});
}

TEST(PullCredentials, PathPrefixesAndMostSpecificFirst) {
  std::vector<json::object> secrets = {
      dockerConfigJson("a", R"({"quay.io":{"username":"any","password":"p"}})"),
      dockerConfigJson("b", R"({"quay.io/coreos":{"username":"coreos","password":"p"},
                                 "http://quay.io/v2/":{"username":"v2","password":"p"}})")};
  EXPECT_EQ(users(pullCredentials(secrets, "quay.io/coreos/etcd")),
            (std::vector<std::string>{"coreos", "any", "v2"}));
  EXPECT_EQ(users(pullCredentials(secrets, "quay.io/other/etcd")), (std::vector<std::string>{"any", "v2"}));
}

TEST(PullCredentials, WildcardSubdomainsAndPorts) {
  std::vector<json::object> secrets = {dockerConfigJson(
      "w", R"({"*.example.com":{"username":"wild","password":"p"},
               "registry.local:5000":{"username":"port","password":"p"},
               "reg-[0-9].corp.io":{"username":"class","password":"p"}})")};
  EXPECT_EQ(users(pullCredentials(secrets, "eu.example.com/app")), std::vector<std::string>{"wild"});
  EXPECT_TRUE(pullCredentials(secrets, "a.b.example.com/app")->empty());  // label counts differ
  EXPECT_TRUE(pullCredentials(secrets, "example.com/app")->empty());
  EXPECT_EQ(users(pullCredentials(secrets, "registry.local:5000/app:1")), std::vector<std::string>{"port"});
  EXPECT_TRUE(pullCredentials(secrets, "registry.local:5001/app:1")->empty());
  EXPECT_EQ(users(pullCredentials(secrets, "reg-7.corp.io/app")), std::vector<std::string>{"class"});
  EXPECT_TRUE(pullCredentials(secrets, "reg-x.corp.io/app")->empty());
}

TEST(PullCredentials, RegistryMatches) {
  EXPECT_TRUE(registryMatches("*.docker.io", "blah.docker.io"));
  EXPECT_FALSE(registryMatches("*.docker.io", "not.right.io"));
  EXPECT_TRUE(registryMatches("registry.io/foo", "registry.io/foo/bar"));
  EXPECT_FALSE(registryMatches("registry.io/foo", "registry.io/bar"));
  EXPECT_TRUE(registryMatches("[::1]:5000", "[::1]:5000/app"));
  EXPECT_FALSE(registryMatches("reg[.io", "reg[.io"));  // a malformed glob matches nothing
}

TEST(PullCredentials, GlobsAsGoFilepathMatch) {
  EXPECT_TRUE(registryMatches("*", "anything"));
  EXPECT_TRUE(registryMatches("reg*.io", "registry.io"));
  EXPECT_TRUE(registryMatches("reg-[a-c].io", "reg-b.io"));
  EXPECT_FALSE(registryMatches("reg-[a-c].io", "reg-d.io"));
  // As url.Parse reads keys: "?" starts a query, and "^" or "\\" in a host
  // make the key invalid: neither matches anything.
  EXPECT_FALSE(registryMatches("r?g.io", "reg.io"));
  EXPECT_FALSE(registryMatches("reg-[^0-9].io", "reg-x.io"));
  EXPECT_FALSE(registryMatches("a\\*b.io", "a*b.io"));
  EXPECT_TRUE(registryMatches("*a*b*c", "xxaxxbxxc"));
  EXPECT_FALSE(registryMatches("*a*b*c", "xxaxxcxxb"));
}

TEST(PullCredentials, PathologicalGlobsStayFast) {
  // Exponential for a naive backtracking matcher; a secret's keys are user input.
  std::string key = "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b";
  std::string host(200, 'a');
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(registryMatches(key, host));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
}

TEST(PullCredentials, OtherSecretsAreIgnored) {
  std::vector<json::object> secrets = {
      secret("opaque", "Opaque", ".dockerconfigjson", R"({"auths":{"quay.io":{"username":"no"}}})"),
      secret("wrongkey", "kubernetes.io/dockerconfigjson", "config.json", "not even json"),
      dockerConfigJson("good", R"({"quay.io":{"username":"yes","password":"p"}})")};
  EXPECT_EQ(users(pullCredentials(secrets, "quay.io/a/b")), std::vector<std::string>{"yes"});
  EXPECT_TRUE(pullCredentials({}, "quay.io/a/b")->empty());
}

TEST(PullCredentials, MalformedSecretsFailTheLookup) {
  auto expectBad = [](const json::object& s, const std::string& text) {
    auto r = pullCredentials({s}, "quay.io/a/b");
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().reason, Reason::BadRequest);
    EXPECT_NE(r.error().message.find(text), std::string::npos) << r.error().message;
  };
  expectBad(secret("s", "kubernetes.io/dockerconfigjson", ".dockerconfigjson", "{not json"), "not valid JSON");
  expectBad(secret("s", "kubernetes.io/dockerconfigjson", ".dockerconfigjson", R"({"auths":[]})"),
            "\"auths\" is not an object");
  expectBad(dockerConfigJson("s", R"({"quay.io":"user:pass"})"), "is not an object");
  expectBad(dockerConfigJson("s", R"({"quay.io":{"username":7}})"), "\"username\" is not a string");
  expectBad(dockerConfigJson("s", R"({"quay.io":{"auth":")" + pki::base64Encode("nocolon") + R"("}})"),
            "unable to parse auth field, must be formatted as base64(username:password)");
  expectBad(dockerConfigJson("s", R"({"quay.io":{"auth":"%%%not-base64"}})"), "unable to parse auth field");
  json::object badBase64 = dockerConfigJson("s", "{}");
  badBase64["data"].as_object()[".dockerconfigjson"] = "***";
  expectBad(badBase64, "is not valid base64");
}

TEST(PullCredentials, UnusableRegistryKeysAreSkipped) {
  std::vector<json::object> secrets = {
      dockerConfigJson("s", R"({"bad host":{"username":"x","password":"p"},
                                 "quay.io":{"username":"ok","password":"p"}})")};
  EXPECT_EQ(users(pullCredentials(secrets, "quay.io/a/b")), std::vector<std::string>{"ok"});
}

TEST(PullCredentials, InvalidImageIsAnError) {
  auto r = pullCredentials({}, "Not A/Valid Image");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, Reason::BadRequest);
}

}  // namespace
}  // namespace kcpp::kubelet::images
