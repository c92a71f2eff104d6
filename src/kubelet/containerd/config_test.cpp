#include <gtest/gtest.h>

#include "kubelet/containerd/runtime_options.h"

namespace kcpp::kubelet::containerd {
namespace {

RuntimeOptions options() {
  RuntimeOptions o;
  o.dataDir = "/var/lib/kcpp";
  return o;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(ContainerdPaths, K3sLayoutUnderTheDataDir) {
  auto p = containerdPaths(options());
  EXPECT_EQ(p.root, "/var/lib/kcpp/agent/containerd");
  EXPECT_EQ(p.state, "/var/lib/kcpp/agent/run/containerd");
  EXPECT_EQ(p.config, "/var/lib/kcpp/agent/containerd/config.toml");
  EXPECT_EQ(p.socket, "/var/lib/kcpp/agent/run/containerd/containerd.sock");
  EXPECT_EQ(p.cniConfDir, "/var/lib/kcpp/agent/etc/cni/net.d");
  auto o = options();
  o.cniConfDir = "/etc/cni/net.d";
  EXPECT_EQ(containerdPaths(o).cniConfDir, "/etc/cni/net.d");
}

TEST(ContainerdConfig, Version2WithOurDirectories) {
  auto o = options();
  std::string toml = containerdConfigToml(o, containerdPaths(o));
  EXPECT_TRUE(contains(toml, "version = 2\n"));
  EXPECT_TRUE(contains(toml, "root = \"/var/lib/kcpp/agent/containerd\"\n"));
  EXPECT_TRUE(contains(toml, "state = \"/var/lib/kcpp/agent/run/containerd\"\n"));
  EXPECT_TRUE(contains(toml, "[grpc]\n  address = \"/var/lib/kcpp/agent/run/containerd/containerd.sock\"\n"));
  EXPECT_TRUE(contains(toml, "path = \"/var/lib/kcpp/agent/containerd/opt\""));
}

TEST(ContainerdConfig, CriPlugin) {
  auto o = options();
  std::string toml = containerdConfigToml(o, containerdPaths(o));
  EXPECT_TRUE(contains(toml, "[plugins.\"io.containerd.grpc.v1.cri\"]\n"));
  EXPECT_TRUE(contains(toml, "sandbox_image = \"docker.io/kcpp/pause:3.9\"\n"));
  EXPECT_TRUE(contains(toml, "restrict_oom_score_adj = true\n"));
  EXPECT_TRUE(contains(toml, "netns_mounts_under_state_dir = true\n"));
  EXPECT_TRUE(contains(toml, "default_runtime_name = \"runc\"\n"));
  EXPECT_TRUE(contains(toml, "[plugins.\"io.containerd.grpc.v1.cri\".cni]\n  bin_dir = \"/usr/lib/cni\"\n"
                             "  conf_dir = \"/var/lib/kcpp/agent/etc/cni/net.d\"\n"));
}

TEST(ContainerdConfig, RuncDefaultAndCrunHandler) {
  auto o = options();
  std::string toml = containerdConfigToml(o, containerdPaths(o));
  const std::string runc = "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc]\n"
                           "  runtime_type = \"io.containerd.runc.v2\"\n"
                           "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n"
                           "  Root = \"/var/lib/kcpp/agent/run/containerd/runc\"\n"
                           "  SystemdCgroup = false\n";
  EXPECT_TRUE(contains(toml, runc)) << toml;
  const std::string crun = "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.crun.options]\n"
                           "  BinaryName = \"crun\"\n"
                           "  Root = \"/var/lib/kcpp/agent/run/containerd/crun\"\n"
                           "  SystemdCgroup = false\n";
  EXPECT_TRUE(contains(toml, crun)) << toml;
}

TEST(ContainerdConfig, QuotesPaths) {
  auto o = options();
  o.dataDir = "/tmp/a \"b\"";
  std::string toml = containerdConfigToml(o, containerdPaths(o));
  EXPECT_TRUE(contains(toml, "root = \"/tmp/a \\\"b\\\"/agent/containerd\"\n")) << toml;
}

}  // namespace
}  // namespace kcpp::kubelet::containerd
