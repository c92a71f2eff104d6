#pragma once
// Test-only: a PerNamespaceController subclass running against a real
// in-process API server (namespaces, serviceaccounts, configmaps), with helpers
// to create and delete namespaces and read the kept objects.
#include <boost/asio/detached.hpp>
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "api/meta/object.h"
#include "client/rest/test_api_server.h"
#include "controllers/pernamespace/per_namespace_controller.h"

namespace kcpp::controllers::testing {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

class PerNamespaceControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.start();
    auto made = client::RestClient::create(io.get_executor(), server.kubeconfig());
    ASSERT_TRUE(made.ok());
    restClient = std::move(*made);
    informers = std::make_unique<client::InformerFactory>(*restClient);
  }

  void TearDown() override {
    if (controller) {
      controller->stop();
      informers->stop();
      server.runFor(1s, [this] { return ended; });
      EXPECT_TRUE(ended);
    }
    server.runFor(200ms);
  }

  void start(std::unique_ptr<PerNamespaceController> made) {
    controller = std::move(made);
    asio::co_spawn(io, [this]() -> asio::awaitable<void> {
      co_await controller->run();
      ended = true;
    }, asio::detached);
  }

  void createNamespace(const std::string& name) {
    json::object ns{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", json::object{{"name", name}}}};
    client::ResourcePath path{"", "v1", "namespaces", "", "", "", ""};
    ASSERT_TRUE(server.await(restClient->create(path, ns)).ok());
  }

  // Deleted, it stays Terminating: nothing here finalizes namespaces.
  void terminateNamespace(const std::string& name) {
    client::ResourcePath path{"", "v1", "namespaces", "", name, "", ""};
    const json::object noOptions;
    ASSERT_TRUE(server.await(restClient->remove(path, noOptions)).ok());
  }

  client::ResourcePath path(const std::string& resource, const std::string& ns, const std::string& name) {
    return client::ResourcePath{"", "v1", resource, ns, name, "", ""};
  }

  std::optional<json::object> get(const std::string& resource, const std::string& ns, const std::string& name) {
    auto found = server.await(restClient->get(path(resource, ns, name)));
    if (!found) return std::nullopt;
    return std::move(*found);
  }

  static std::string str(const json::object& obj, std::string_view at) {
    const json::value* v = api::findPath(obj, at);
    return v && v->is_string() ? std::string(v->get_string()) : "";
  }

  asio::io_context io;
  client::testing::TestApiServer server{io, {"/namespaces", "/serviceaccounts", "/configmaps"}};
  client::RestClientPtr restClient;
  std::unique_ptr<client::InformerFactory> informers;
  std::unique_ptr<PerNamespaceController> controller;
  bool ended = false;
};

}  // namespace kcpp::controllers::testing
