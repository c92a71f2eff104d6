#pragma once
// Test-only: the Deployment controller against a real in-process API server.
// No ReplicaSet controller runs: tests play it by writing ReplicaSet status
// (settle()), which is all the Deployment controller reads of its pods.
#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>

#include <algorithm>
#include <functional>

#include "api/meta/object.h"
#include "client/rest/test_api_server.h"
#include "controllers/deployment/deployment_controller.h"

namespace kcpp::controllers::testing {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace deployment;

class DeploymentControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    auto made = client::RestClient::create(io.get_executor(), server.kubeconfig());
    ASSERT_TRUE(made.ok());
    restClient = std::move(*made);
    informers = std::make_unique<client::InformerFactory>(*restClient);
    controller = std::make_unique<DeploymentController>(*restClient, *informers, io.get_executor());
    asio::co_spawn(io, [this]() -> asio::awaitable<void> {
      co_await controller->run();
      ended = true;
    }, asio::detached);
  }

  void TearDown() override {
    controller->stop();
    informers->stop();
    server.runFor(1s, [this] { return ended; });
    EXPECT_TRUE(ended);
    server.runFor(200ms);
  }

  // A deployment of nginx pods labelled app=web; `spec` adds or overrides fields.
  static json::object makeDeployment(const std::string& name, const std::string& spec) {
    json::object d = json::parse(R"({"apiVersion":"apps/v1","kind":"Deployment",
      "spec":{"replicas":3,"revisionHistoryLimit":10,"progressDeadlineSeconds":600,
              "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1,"maxUnavailable":0}},
              "selector":{"matchLabels":{"app":"web"}},
              "template":{"metadata":{"labels":{"app":"web"}},
                          "spec":{"containers":[{"name":"c","image":"nginx"}]}}}})").as_object();
    d["metadata"] = json::object{{"name", name}};
    const json::value overrides = json::parse(spec);
    for (const auto& kv : overrides.as_object()) d["spec"].as_object()[kv.key()] = kv.value();
    return d;
  }

  json::object create(const json::object& d) {
    auto created = server.await(restClient->create(deploymentPath("default", ""), d));
    EXPECT_TRUE(created.ok()) << created.error().message;
    return created ? *created : json::object{};
  }

  json::object deployment(const std::string& name = "web") {
    auto d = server.await(restClient->get(deploymentPath("default", name)));
    return d ? *d : json::object{};
  }

  void patchDeployment(const std::string& patch, const std::string& name = "web") {
    auto patched = server.await(restClient->patch(deploymentPath("default", name),
                                                  "application/merge-patch+json", patch));
    ASSERT_TRUE(patched.ok()) << patched.error().message;
  }

  void setImage(const std::string& image) {
    patchDeployment(R"({"spec":{"template":{"spec":{"containers":[{"name":"c","image":")" + image + R"("}]}}}})");
  }

  // ReplicaSets oldest revision first.
  std::vector<json::object> replicaSets() {
    auto list = server.await(restClient->get(replicaSetPath("default")));
    std::vector<json::object> out;
    if (!list) return out;
    for (auto& item : list->at("items").as_array()) out.push_back(item.as_object());
    std::sort(out.begin(), out.end(), [](const json::object& a, const json::object& b) {
      return revisionOf(a) < revisionOf(b);
    });
    return out;
  }

  std::vector<std::int64_t> rsSizes() {
    std::vector<std::int64_t> sizes;
    for (const auto& rs : replicaSets()) sizes.push_back(specReplicas(rs));
    return sizes;
  }

  // Plays the ReplicaSet controller: every RS runs its spec.replicas, of which
  // `available(rs)` are available (default: all).
  void settle(const std::function<std::int64_t(const json::object&)>& available = nullptr) {
    for (json::object rs : replicaSets()) {
      std::int64_t replicas = specReplicas(rs);
      std::int64_t ready = available ? std::min(replicas, available(rs)) : replicas;
      json::object status{{"replicas", replicas},
                          {"readyReplicas", ready},
                          {"availableReplicas", ready},
                          {"observedGeneration", intAt(rs, "metadata.generation")}};
      if (rs.contains("status") && rs["status"] == json::value(status)) continue;
      rs["status"] = std::move(status);
      auto path = replicaSetPath("default", std::string(api::metaName(rs)));
      path.subresource = "status";
      auto written = server.await(restClient->update(path, rs));
      (void)written;  // a conflict is retried on the next call
    }
  }

  // Runs until `until` holds (settling ReplicaSets with `available` each time).
  bool waitFor(const std::function<bool()>& until, std::chrono::milliseconds timeout = 5s,
               const std::function<std::int64_t(const json::object&)>& available = nullptr) {
    bool met = false;
    server.runFor(timeout, [&] {
      settle(available);
      met = until();
      return met;
    });
    return met;
  }

  static std::string conditionReason(const json::object& d, std::string_view type) {
    const json::object* status = api::findObject(d, "status");
    const json::object* cond = status ? findCondition(*status, type) : nullptr;
    return cond ? std::string(api::getString(*cond, "reason")) : "";
  }

  static std::string image(const json::object& rs) {
    return std::string(api::findPath(rs, "spec.template.spec.containers")
                           ->as_array()[0].as_object().at("image").as_string());
  }

  asio::io_context io;
  client::testing::TestApiServer server{io, {"/namespaces", "/pods", "/events", "apps/replicasets", "apps/deployments"}};
  client::RestClientPtr restClient;
  std::unique_ptr<client::InformerFactory> informers;
  std::unique_ptr<DeploymentController> controller;
  bool ended = false;
};

}  // namespace kcpp::controllers::testing
