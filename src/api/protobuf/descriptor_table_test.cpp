#include "api/protobuf/descriptor_table.h"

#include <gtest/gtest.h>

#include <set>

namespace kcpp::protobuf {
namespace {

TEST(BuiltinDescriptors, LinkAndNameTheKindsKubectlSends) {
  const DescriptorTable& table = builtinDescriptors();
  struct Kind {
    const char* apiVersion;
    const char* kind;
    const char* message;
  } kinds[] = {
      {"v1", "Namespace", "core/v1.Namespace"},
      {"v1", "ConfigMap", "core/v1.ConfigMap"},
      {"v1", "Secret", "core/v1.Secret"},
      {"v1", "ServiceAccount", "core/v1.ServiceAccount"},
      {"v1", "ResourceQuota", "core/v1.ResourceQuota"},
      {"v1", "Service", "core/v1.Service"},
      {"v1", "Pod", "core/v1.Pod"},
      {"apps/v1", "Deployment", "apps/v1.Deployment"},
      {"batch/v1", "Job", "batch/v1.Job"},
      {"batch/v1", "CronJob", "batch/v1.CronJob"},
      {"rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "rbac/v1.ClusterRoleBinding"},
      {"policy/v1", "PodDisruptionBudget", "policy/v1.PodDisruptionBudget"},
      {"scheduling.k8s.io/v1", "PriorityClass", "scheduling/v1.PriorityClass"},
      {"networking.k8s.io/v1", "Ingress", "networking/v1.Ingress"},
      {"authentication.k8s.io/v1", "TokenRequest", "authentication/v1.TokenRequest"},
      {"autoscaling/v2", "HorizontalPodAutoscaler", "autoscaling/v2.HorizontalPodAutoscaler"},
      // Option kinds are served by every group version.
      {"v1", "DeleteOptions", "meta/v1.DeleteOptions"},
      {"apps/v1", "DeleteOptions", "meta/v1.DeleteOptions"},
      {"batch/v1", "CreateOptions", "meta/v1.CreateOptions"},
  };
  for (const Kind& k : kinds) {
    const MessageDescriptor* m = table.kind(k.apiVersion, k.kind);
    ASSERT_NE(m, nullptr) << k.apiVersion << " " << k.kind;
    EXPECT_EQ(m->name, k.message);
  }
  EXPECT_EQ(table.kind("v1", "Deployment"), nullptr);
  EXPECT_EQ(table.kind("apps/v1", "ConfigMap"), nullptr);
  EXPECT_EQ(table.kind("v1", "NoSuchKind"), nullptr);
}

TEST(BuiltinDescriptors, EveryMessageFieldIsLinkedAndIndexed) {
  const DescriptorTable& table = builtinDescriptors();
  auto messages = table.messages();
  EXPECT_GT(messages.size(), 300u);
  for (const MessageDescriptor* m : messages) {
    std::set<std::uint32_t> numbers;
    for (std::size_t i = 0; i < m->fields.size(); ++i) {
      const FieldDescriptor& f = m->fields[i];
      EXPECT_TRUE(numbers.insert(f.number).second) << m->name << " " << f.number;
      EXPECT_EQ(m->indexOf(f.number), static_cast<int>(i));
      if (f.type.kind == Kind::Message) {
        EXPECT_NE(f.type.message, nullptr) << m->name;
      }
    }
    EXPECT_EQ(m->indexOf(100000), -1);
  }
}

TEST(BuiltinDescriptors, ObjectMetaMatchesUpstream) {
  const MessageDescriptor* meta = builtinDescriptors().message("meta/v1.ObjectMeta");
  ASSERT_NE(meta, nullptr);
  auto field = [&](std::uint32_t n) {
    return meta->fields[static_cast<std::size_t>(meta->indexOf(n))];
  };
  EXPECT_EQ(field(1).jsonName, "name");
  EXPECT_EQ(field(8).jsonName, "creationTimestamp");
  EXPECT_EQ(field(8).type.kind, Kind::Time);
  EXPECT_FALSE(field(8).type.isPointer);
  EXPECT_TRUE(field(9).type.isPointer);
  EXPECT_EQ(field(11).type.shape, Shape::Map);
  EXPECT_EQ(field(13).type.message->name, "meta/v1.OwnerReference");
  EXPECT_EQ(field(17).jsonName, "managedFields");
  EXPECT_EQ(meta->indexOf(15), -1);  // clusterName, removed upstream
}

TEST(DescriptorTable, ResolvesRelativeAndAbsoluteNames) {
  DescriptorTable table;
  auto a = table.group("a/v1", "a.example/v1");
  a.object("Thing", {{1, "metadata", msg("b/v1.Meta")}, {2, "spec", msg("Spec")}});
  a.message("Spec", {{1, "size", i32()}});
  table.group("b/v1", "").message("Meta", {{1, "name", str()}});
  table.kindInEveryVersion("Options", "b/v1.Meta");
  table.link();
  const MessageDescriptor* thing = table.kind("a.example/v1", "Thing");
  ASSERT_NE(thing, nullptr);
  EXPECT_EQ(thing->fields[0].type.message, table.message("b/v1.Meta"));
  EXPECT_EQ(thing->fields[1].type.message, table.message("a/v1.Spec"));
  EXPECT_EQ(table.kind("anything/v9", "Options"), table.message("b/v1.Meta"));
}

using DescriptorTableDeathTest = ::testing::Test;

TEST_F(DescriptorTableDeathTest, BrokenTablesCrashAtLink) {
  EXPECT_DEATH(
      {
        DescriptorTable table;
        table.group("a/v1", "").message("M", {{1, "x", msg("Missing")}});
        table.link();
      },
      "unknown message a/v1.Missing");
  EXPECT_DEATH(
      {
        DescriptorTable table;
        table.group("a/v1", "").message("M", {{1, "x", str()}, {1, "y", str()}});
        table.link();
      },
      "field number used twice");
  EXPECT_DEATH(
      {
        DescriptorTable table;
        table.group("a/v1", "").message("M", {{1, "x", str()}, {2, "x", str()}});
        table.link();
      },
      "repeated JSON name");
}

}  // namespace
}  // namespace kcpp::protobuf
