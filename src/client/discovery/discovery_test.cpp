// Discovery against a real in-process API server.
#include "client/discovery/discovery.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "client/rest/test_api_server.h"

namespace kcpp::client {
namespace {

TEST(DiscoveryTest, ListsServedResourcesWithoutSubresources) {
  boost::asio::io_context io;
  testing::TestApiServer server{io, {"/namespaces", "/pods", "apps/replicasets"}};
  server.start();
  auto client = RestClient::create(io.get_executor(), server.kubeconfig());
  ASSERT_TRUE(client.ok());
  auto found = server.await(discoverResources(**client));
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_TRUE(found->failed.empty());
  // Listable ones (the server also serves create-only access reviews).
  std::vector<std::string> names;
  for (const ApiResource& r : found->resources) {
    if (r.supports("list")) names.push_back(r.group + "/" + r.resource);
    else EXPECT_EQ(r.group, "authorization.k8s.io") << r.resource;
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"/namespaces", "/pods", "apps/replicasets"}));

  ResourceMapper mapper;
  mapper.reset(found->resources);
  auto rs = mapper.find("apps/v1", "ReplicaSet");
  ASSERT_TRUE(rs.has_value());
  EXPECT_EQ(rs->resource, "replicasets");
  EXPECT_TRUE(rs->namespaced);
  EXPECT_TRUE(rs->supports("watch"));
  EXPECT_EQ(rs->apiVersion(), "apps/v1");
  auto ns = mapper.find("v1", "Namespace");
  ASSERT_TRUE(ns.has_value());
  EXPECT_FALSE(ns->namespaced);
  EXPECT_FALSE(mapper.find("v1", "ReplicaSet").has_value());
  EXPECT_FALSE(mapper.find("example.com/v1", "Widget").has_value());
}

}  // namespace
}  // namespace kcpp::client
