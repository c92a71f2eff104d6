#include "kubelet/volumes/downward_api.h"

#include <gtest/gtest.h>

namespace kcpp::kubelet::volumes {
namespace {

namespace json = boost::json;
using api::validation::Quantity;

json::object pod() {
  return json::parse(R"({"metadata":{"name":"web","namespace":"prod","uid":"u-1",
      "labels":{"b":"2","a":"one \"quoted\"\n"},"annotations":{"x":"y"}},
    "spec":{"nodeName":"n1","containers":[{"name":"app","resources":{
      "limits":{"memory":"128Mi"},"requests":{"cpu":"250m","memory":"64Mi"}}}]},
    "status":{"podIP":"10.42.0.5"}})").as_object();
}

TEST(DownwardApiTest, PodFields) {
  auto p = pod();
  EXPECT_EQ(*podFieldValue(p, "metadata.name"), "web");
  EXPECT_EQ(*podFieldValue(p, "metadata.namespace"), "prod");
  EXPECT_EQ(*podFieldValue(p, "metadata.uid"), "u-1");
  EXPECT_EQ(*podFieldValue(p, "metadata.labels"), "a=\"one \\\"quoted\\\"\\n\"\nb=\"2\"");
  EXPECT_EQ(*podFieldValue(p, "metadata.annotations"), "x=\"y\"");
  EXPECT_EQ(*podFieldValue(p, "metadata.labels['b']"), "2");
  EXPECT_EQ(*podFieldValue(p, "status.podIP"), "10.42.0.5");
  auto bad = podFieldValue(p, "spec.bogus");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "unsupported fieldPath: spec.bogus");
}

TEST(DownwardApiTest, ResourcesWithDivisorAndAllocatableDefaults) {
  auto p = pod();
  ResourceList alloc{{"cpu", *Quantity::parse("2")}, {"memory", *Quantity::parse("4Gi")}};
  auto value = [&](const std::string& ref) {
    auto r = containerResourceValue(p, json::parse(ref).as_object(), "", alloc);
    return r.ok() ? *r : "error: " + r.error().message;
  };
  EXPECT_EQ(value(R"({"containerName":"app","resource":"limits.memory"})"), "134217728");
  EXPECT_EQ(value(R"({"containerName":"app","resource":"limits.memory","divisor":"1Mi"})"), "128");
  EXPECT_EQ(value(R"({"containerName":"app","resource":"requests.cpu","divisor":"1m"})"), "250");
  EXPECT_EQ(value(R"({"containerName":"app","resource":"requests.cpu"})"), "1");  // ceil
  // No cpu limit: node allocatable.
  EXPECT_EQ(value(R"({"containerName":"app","resource":"limits.cpu"})"), "2");
  EXPECT_EQ(value(R"({"containerName":"nope","resource":"limits.cpu"})"), "error: container nope not found");
  EXPECT_EQ(value(R"({"containerName":"app","resource":"limits.gpu"})"),
            "error: unsupported container resource : limits.gpu");
}

}  // namespace
}  // namespace kcpp::kubelet::volumes
