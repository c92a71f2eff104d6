// ServiceStrategy behind a real Registry over the in-memory store: allocation on
// create, refusals with upstream's messages, release on delete and on failed
// writes, updates, and the rebuild of the allocation state at start.
#include "apiserver/registry/services/service_strategy.h"
#include "util/run_to_completion.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <optional>

#include "api/meta/object.h"
#include "apiserver/registry/registry.h"
#include "storage/memory/memory_store.h"

namespace kcpp::apiserver {
namespace {

namespace asio = boost::asio;

json::object parse(std::string_view text) { return json::parse(text).as_object(); }

json::object service(std::string_view name, std::string_view spec) {
  return parse(R"({"metadata":{"name":")" + std::string(name) + R"("},"spec":)" +
               std::string(spec) + "}");
}

std::string clusterIPOf(const json::object& svc) {
  return std::string(svc.at("spec").at("clusterIP").as_string());
}

std::int64_t nodePortOf(const json::object& svc, std::size_t i = 0) {
  return svc.at("spec").at("ports").at(i).at("nodePort").as_int64();
}

class ServiceStrategyTest : public ::testing::Test {
 protected:
  void SetUp() override { registry = startRegistry(); }

  template <class T>
  T await(asio::awaitable<T> work) {
    return runToCompletion(io, std::move(work));
  }

  // A Registry for services over `store`, as the server builds it (and restarts it).
  std::unique_ptr<Registry> startRegistry(std::string cidr = "10.43.0.0/16") {
    for (api::ResourceType& type : api::builtinResources()) {
      if (!type.group.empty() || type.resource != "services") continue;
      auto strategy = std::make_unique<ServiceStrategy>(cidr, "30000-32767");
      strategyView = strategy.get();
      auto r = std::make_unique<Registry>(std::move(type), store, std::move(strategy));
      started = await(r->start());
      return r;
    }
    ADD_FAILURE() << "services is a built-in resource";
    return nullptr;
  }

  Result<json::object> create(json::object svc, const std::string& ns = "default") {
    WriteOptions options;
    return await(registry->create(ns, std::move(svc), options));
  }

  json::object mustCreate(json::object svc) {
    auto created = create(std::move(svc));
    EXPECT_TRUE(created.ok()) << (created ? "" : created.error().message);
    return created ? *created : json::object();
  }

  Result<json::object> update(const std::string& name, json::object body) {
    WriteOptions options;
    return await(registry->update("default", name, std::move(body), Subresource::None, options));
  }

  Result<DeleteResult> remove(const std::string& name) {
    DeleteOptions options;
    return await(registry->remove("default", name, options));
  }

  const ServiceAllocations& allocations() { return *strategyView->allocations(); }

  asio::io_context io;
  storage::MemoryStore store;
  ServiceStrategy* strategyView = nullptr;
  Result<void> started;
  std::unique_ptr<Registry> registry;
};

TEST_F(ServiceStrategyTest, ClusterIPServiceGetsARandomIpInRange) {
  ASSERT_TRUE(started.ok());
  json::object svc =
      mustCreate(service("redis", R"({"selector":{"app":"redis"},"ports":[{"port":6379}]})"));
  std::string ip = clusterIPOf(svc);
  EXPECT_EQ(ip.rfind("10.43.", 0), 0u) << ip;
  EXPECT_NE(ip, "10.43.0.1");
  EXPECT_EQ(svc.at("spec").at("clusterIPs"), json::array{json::string(ip)});
  EXPECT_EQ(svc.at("spec").at("type"), "ClusterIP");
  EXPECT_EQ(svc.at("spec").at("ports").at(0).at("targetPort"), 6379);
  EXPECT_FALSE(svc.at("spec").at("ports").at(0).as_object().contains("nodePort"));
  EXPECT_TRUE(allocations().ips().has(ip));
}

TEST_F(ServiceStrategyTest, RequestedIpIsHonouredOrRefused) {
  json::object svc = mustCreate(service("a", R"({"clusterIP":"10.43.0.5","ports":[{"port":80}]})"));
  EXPECT_EQ(clusterIPOf(svc), "10.43.0.5");
  auto taken = create(service("b", R"({"clusterIP":"10.43.0.5","ports":[{"port":80}]})"));
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.error().code(), 422);
  EXPECT_EQ(taken.error().message,
            "Service \"b\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.43.0.5\"}: "
            "failed to allocate IP 10.43.0.5: provided IP is already allocated");
  auto outside = create(service("c", R"({"clusterIP":"10.44.0.5","ports":[{"port":80}]})"));
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().message,
            "Service \"c\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.44.0.5\"}: "
            "failed to allocate IP 10.44.0.5: the provided network does not match the current "
            "range");
  auto broadcast = create(service("d", R"({"clusterIP":"10.43.255.255","ports":[{"port":80}]})"));
  ASSERT_FALSE(broadcast.ok());
  EXPECT_EQ(broadcast.error().causes.at(0).message,
            "Invalid value: []string{\"10.43.255.255\"}: failed to allocate IP 10.43.255.255: the "
            "provided IP (10.43.255.255) is not in the valid range. The range of valid IPs is "
            "10.43.0.0/16");
  auto first = create(service("e", R"({"clusterIP":"10.43.0.1","ports":[{"port":80}]})"));
  ASSERT_FALSE(first.ok()) << "the first IP is the kubernetes Service's";
  EXPECT_NE(first.error().message.find("provided IP is already allocated"), std::string::npos);
}

TEST_F(ServiceStrategyTest, TheKubernetesServiceHoldsTheFirstIp) {
  auto svc = mustCreate(parse(R"({"metadata":{"name":"kubernetes"},
      "spec":{"clusterIP":"10.43.0.1","ports":[{"name":"https","port":443,"targetPort":6443}]}})"));
  EXPECT_EQ(clusterIPOf(svc), "10.43.0.1");
  ASSERT_TRUE(remove("kubernetes").ok());
  EXPECT_TRUE(allocations().ips().has("10.43.0.1")) << "never released";
  auto again = create(service("kubernetes", R"({"clusterIP":"10.43.0.1","ports":[{"port":443}]})"));
  EXPECT_TRUE(again.ok()) << "recreated with the same IP";
  auto other = create(service("other", R"({"clusterIP":"10.43.0.1","ports":[{"port":443}]})"),
                      "kube-system");
  EXPECT_FALSE(other.ok());
}

TEST_F(ServiceStrategyTest, HeadlessAndExternalNameGetNoIp) {
  std::uint64_t before = allocations().ips().freeCount();
  json::object headless = mustCreate(service("h", R"({"clusterIP":"None","selector":{"a":"b"}})"));
  EXPECT_EQ(clusterIPOf(headless), "None");
  json::object external =
      mustCreate(service("x", R"({"type":"ExternalName","externalName":"example.com"})"));
  EXPECT_FALSE(external.at("spec").as_object().contains("clusterIP"));
  EXPECT_EQ(allocations().ips().freeCount(), before);
}

TEST_F(ServiceStrategyTest, NodePorts) {
  json::object svc =
      mustCreate(service("nginx", R"({"type":"NodePort","ports":[{"port":80,"nodePort":30080}]})"));
  EXPECT_EQ(nodePortOf(svc), 30080);
  EXPECT_EQ(svc.at("spec").at("externalTrafficPolicy"), "Cluster");
  auto out =
      create(service("low", R"({"type":"NodePort","ports":[{"port":80,"nodePort":29999}]})"));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().message,
            "Service \"low\" is invalid: spec.ports[0].nodePort: Invalid value: 29999: provided "
            "port is not in the valid range. The range of valid ports is 30000-32767");
  auto dup =
      create(service("dup", R"({"type":"NodePort","ports":[{"port":80,"nodePort":30080}]})"));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().message,
            "Service \"dup\" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided "
            "port is already allocated");
  std::uint64_t freeIps = allocations().ips().freeCount();
  json::object dynamic = mustCreate(service("dyn", R"({"type":"LoadBalancer","ports":[
      {"name":"dns","port":53,"protocol":"UDP"},{"name":"dns-tcp","port":53}]})"));
  std::int64_t port = nodePortOf(dynamic);
  EXPECT_GE(port, 30000);
  EXPECT_LE(port, 32767);
  EXPECT_EQ(nodePortOf(dynamic, 1), port) << "one node port per service port number";
  EXPECT_EQ(allocations().ips().freeCount(), freeIps - 1);
}

TEST_F(ServiceStrategyTest, FailedCreatesReleaseWhatTheyTook) {
  std::uint64_t freeIps = allocations().ips().freeCount();
  std::uint64_t freePorts = allocations().ports().freeCount();
  mustCreate(service("web", R"({"type":"NodePort","ports":[{"port":80}]})"));
  // Same name: the store refuses it after allocation.
  auto exists = create(service("web", R"({"type":"NodePort","ports":[{"port":80}]})"));
  ASSERT_FALSE(exists.ok());
  EXPECT_EQ(exists.error().reason, Reason::AlreadyExists);
  // Second port refused: the first port and the IP are given back.
  auto half = create(service("half", R"({"type":"NodePort","ports":[
      {"name":"a","port":80,"nodePort":31001},{"name":"b","port":81,"nodePort":29000}]})"));
  ASSERT_FALSE(half.ok());
  EXPECT_FALSE(allocations().ports().has(31001));
  EXPECT_EQ(allocations().ips().freeCount(), freeIps - 1);
  EXPECT_EQ(allocations().ports().freeCount(), freePorts - 1);
}

TEST_F(ServiceStrategyTest, DeleteFreesIpAndPorts) {
  json::object svc = mustCreate(service("nginx", R"({"type":"NodePort","clusterIP":"10.43.0.9",
      "ports":[{"port":80,"nodePort":30080}]})"));
  ASSERT_TRUE(remove("nginx").ok());
  EXPECT_FALSE(allocations().ips().has("10.43.0.9"));
  EXPECT_FALSE(allocations().ports().has(30080));
  mustCreate(service("again", R"({"type":"NodePort","clusterIP":"10.43.0.9",
      "ports":[{"port":80,"nodePort":30080}]})"));
}

TEST_F(ServiceStrategyTest, MissingPortsIs422) {
  std::uint64_t freeIps = allocations().ips().freeCount();
  auto invalid = create(service("noports", R"({"selector":{"app":"x"}})"));
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().message, "Service \"noports\" is invalid: spec.ports: Required value");
  EXPECT_EQ(allocations().ips().freeCount(), freeIps);
}

TEST_F(ServiceStrategyTest, UpdatesKeepAndMoveAllocations) {
  json::object svc =
      mustCreate(service("web", R"({"type":"NodePort","ports":[{"name":"http","port":80}]})"));
  std::string ip = clusterIPOf(svc);
  std::int64_t port = nodePortOf(svc);
  // A PUT that leaves out the allocated values keeps them.
  auto kept =
      update("web", service("web", R"({"type":"NodePort","ports":[{"name":"http","port":8080}]})"));
  ASSERT_TRUE(kept.ok()) << kept.error().message;
  EXPECT_EQ(clusterIPOf(*kept), ip);
  EXPECT_EQ(nodePortOf(*kept), port);
  EXPECT_TRUE(allocations().ports().has(port));
  // A new node port is reserved and the old one freed.
  json::object moved = *kept;
  moved["spec"].as_object()["ports"].as_array()[0].as_object()["nodePort"] = 31234;
  auto movedPort = update("web", moved);
  ASSERT_TRUE(movedPort.ok()) << movedPort.error().message;
  EXPECT_TRUE(allocations().ports().has(31234));
  EXPECT_FALSE(allocations().ports().has(port));
  // Changing the cluster IP is refused.
  json::object changed = *movedPort;
  changed["spec"].as_object()["clusterIP"] = "10.43.0.77";
  auto refused = update("web", changed);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message,
            "Service \"web\" is invalid: spec.clusterIPs[0]: Invalid value: "
            "[]string{\"10.43.0.77\"}: may not change once set");
  EXPECT_FALSE(allocations().ips().has("10.43.0.77"));
  // To ClusterIP: the node port goes back.
  json::object toClusterIP = *movedPort;
  toClusterIP["spec"].as_object()["type"] = "ClusterIP";
  toClusterIP["spec"].as_object().erase("externalTrafficPolicy");
  auto plain = update("web", toClusterIP);
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_FALSE(allocations().ports().has(31234));
  EXPECT_FALSE(plain->at("spec").at("ports").at(0).as_object().contains("nodePort"));
  // And back to NodePort: a new one is allocated; a taken one is refused.
  mustCreate(service("other", R"({"type":"NodePort","ports":[{"port":80,"nodePort":30500}]})"));
  json::object clash = *plain;
  clash["spec"].as_object()["type"] = "NodePort";
  clash["spec"].as_object()["ports"].as_array()[0].as_object()["nodePort"] = 30500;
  auto clashed = update("web", clash);
  ASSERT_FALSE(clashed.ok());
  EXPECT_EQ(clashed.error().message,
            "Service \"web\" is invalid: spec.ports[0].nodePort: Invalid value: 30500: provided "
            "port is already allocated");
  json::object toNodePort = *plain;
  toNodePort["spec"].as_object()["type"] = "NodePort";
  auto nodePort = update("web", toNodePort);
  ASSERT_TRUE(nodePort.ok()) << nodePort.error().message;
  EXPECT_TRUE(allocations().ports().has(nodePortOf(*nodePort)));
}

TEST_F(ServiceStrategyTest, ExternalNameTransitionsMoveTheIp) {
  json::object svc = mustCreate(service("db", R"({"ports":[{"port":5432}]})"));
  std::string ip = clusterIPOf(svc);
  json::object external = svc;
  external["spec"].as_object()["type"] = "ExternalName";
  external["spec"].as_object()["externalName"] = "db.example.com";
  auto toExternal = update("db", external);
  ASSERT_TRUE(toExternal.ok()) << toExternal.error().message;
  EXPECT_FALSE(toExternal->at("spec").as_object().contains("clusterIP"));
  EXPECT_FALSE(allocations().ips().has(ip));
  json::object back = *toExternal;
  back["spec"].as_object()["type"] = "ClusterIP";
  back["spec"].as_object().erase("externalName");
  auto toClusterIP = update("db", back);
  ASSERT_TRUE(toClusterIP.ok()) << toClusterIP.error().message;
  EXPECT_TRUE(allocations().ips().has(clusterIPOf(*toClusterIP)));
}

TEST_F(ServiceStrategyTest, RestartRebuildsTheAllocations) {
  mustCreate(parse(
      R"({"metadata":{"name":"kubernetes"},"spec":{"clusterIP":"10.43.0.1","ports":[{"port":443}]}})"));
  json::object svc =
      mustCreate(service("web", R"({"type":"NodePort","ports":[{"port":80,"nodePort":30080}]})"));
  std::string ip = clusterIPOf(svc);
  registry = startRegistry();  // a new server over the same store
  ASSERT_TRUE(started.ok());
  EXPECT_TRUE(allocations().ips().has(ip));
  EXPECT_TRUE(allocations().ips().has("10.43.0.1"));
  EXPECT_TRUE(allocations().ports().has(30080));
  auto taken =
      create(service("copy", R"({"type":"NodePort","ports":[{"port":80,"nodePort":30080}]})"));
  ASSERT_FALSE(taken.ok());
  EXPECT_NE(taken.error().message.find("provided port is already allocated"), std::string::npos);
  ASSERT_TRUE(remove("web").ok());
  EXPECT_FALSE(allocations().ports().has(30080));
}

TEST_F(ServiceStrategyTest, BadFlagsFailStart) {
  registry = startRegistry("10.43.0.0/33");
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.error().message.find("invalid service CIDR"), std::string::npos);
}

}  // namespace
}  // namespace kcpp::apiserver
