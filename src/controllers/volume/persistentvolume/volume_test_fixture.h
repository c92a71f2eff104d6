#pragma once
// Test-only: an in-process API server serving what the volume controllers use
// (PVs, PVCs, StorageClasses, Nodes, Events), a client and shared informers,
// and builders for the objects. The controller under test is started by the test.
#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>

#include <memory>

#include "api/meta/object.h"
#include "client/informer/informer_factory.h"
#include "client/rest/test_api_server.h"
#include "controllers/common/controller.h"

namespace kcpp::controllers::testing {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

class VolumeControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    auto made = client::RestClient::create(io.get_executor(), server.kubeconfig());
    ASSERT_TRUE(made.ok());
    restClient = std::move(*made);
    informers = std::make_unique<client::InformerFactory>(*restClient);
  }

  // Starts `made` (built on informers before they start).
  void start(ControllerPtr made) {
    controller = std::move(made);
    asio::co_spawn(io, [this]() -> asio::awaitable<void> {
      co_await controller->run();
      ended = true;
    }, asio::detached);
    informers->start(io.get_executor());
  }

  void TearDown() override {
    if (!controller) return;
    controller->stop();
    informers->stop();
    server.runFor(1s, [this] { return ended; });
    EXPECT_TRUE(ended);
  }

  static client::ResourcePath pvPath(const std::string& name = "", const std::string& sub = "") {
    return client::ResourcePath{"", "v1", "persistentvolumes", "", name, sub, ""};
  }
  static client::ResourcePath pvcPath(const std::string& name = "", const std::string& sub = "") {
    return client::ResourcePath{"", "v1", "persistentvolumeclaims", "default", name, sub, ""};
  }

  json::object create(const client::ResourcePath& path, const json::object& obj) {
    auto created = server.await(restClient->create(path, obj));
    EXPECT_TRUE(created.ok()) << created.error().message;
    return created.ok() ? *created : json::object{};
  }

  std::optional<json::object> get(const client::ResourcePath& path) {
    auto got = server.await(restClient->get(path));
    if (!got) return std::nullopt;
    return *got;
  }

  std::string field(const client::ResourcePath& path, std::string_view dotted) {
    auto obj = get(path);
    const json::value* v = obj ? api::findPath(*obj, dotted) : nullptr;
    return v && v->is_string() ? std::string(v->get_string()) : "";
  }

  // Waits (up to 5 s) until the field reads `want`; true if it did.
  bool waitField(const client::ResourcePath& path, std::string_view dotted, const std::string& want) {
    server.runFor(5s, [&] { return field(path, dotted) == want; });
    return field(path, dotted) == want;
  }

  // Reasons of the events about the object named `name`.
  std::vector<std::string> eventReasons(const std::string& name) {
    std::vector<std::string> out;
    client::ResourcePath path{"", "v1", "events", "default", "", "", ""};
    auto list = server.await(restClient->get(path));
    if (!list) return out;
    for (const json::value& e : list->at("items").as_array()) {
      if (api::getString(*api::findObject(e.as_object(), "involvedObject"), "name") == name) {
        out.emplace_back(api::getString(e.as_object(), "reason"));
      }
    }
    return out;
  }
  bool waitEvent(const std::string& name, const std::string& reason) {
    auto has = [&] {
      auto reasons = eventReasons(name);
      return std::find(reasons.begin(), reasons.end(), reason) != reasons.end();
    };
    server.runFor(5s, has);
    return has();
  }

  static json::object volume(const std::string& name, const std::string& size, const std::string& policy = "Retain",
                             const std::string& cls = "") {
    json::object pv{{"apiVersion", "v1"}, {"kind", "PersistentVolume"}};
    pv["metadata"] = json::object{{"name", name}};
    pv["spec"] = json::object{{"capacity", json::object{{"storage", size}}},
                              {"accessModes", json::array{"ReadWriteOnce"}},
                              {"persistentVolumeReclaimPolicy", policy},
                              {"storageClassName", cls},
                              {"hostPath", json::object{{"path", "/tmp/" + name}}}};
    return pv;
  }

  static json::object claim(const std::string& name, const std::string& size, std::optional<std::string> cls) {
    json::object pvc{{"apiVersion", "v1"}, {"kind", "PersistentVolumeClaim"}};
    pvc["metadata"] = json::object{{"name", name}, {"namespace", "default"}};
    json::object spec{{"accessModes", json::array{"ReadWriteOnce"}},
                      {"resources", json::object{{"requests", json::object{{"storage", size}}}}}};
    if (cls) spec["storageClassName"] = *cls;
    pvc["spec"] = std::move(spec);
    return pvc;
  }

  static json::object storageClass(const std::string& name, const std::string& provisioner, const std::string& mode) {
    return json::object{{"apiVersion", "storage.k8s.io/v1"},
                        {"kind", "StorageClass"},
                        {"metadata", json::object{{"name", name}}},
                        {"provisioner", provisioner},
                        {"reclaimPolicy", "Delete"},
                        {"volumeBindingMode", mode}};
  }

  asio::io_context io;
  client::testing::TestApiServer server{io, {"/persistentvolumes", "/persistentvolumeclaims",
                                             "storage.k8s.io/storageclasses", "/nodes", "/events",
                                             "/namespaces"}};
  std::unique_ptr<client::RestClient> restClient;
  std::unique_ptr<client::InformerFactory> informers;
  ControllerPtr controller;
  bool ended = false;
};

}  // namespace kcpp::controllers::testing
