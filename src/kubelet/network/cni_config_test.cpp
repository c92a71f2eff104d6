#include "kubelet/network/cni_config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json.hpp>

#include "pki/atomic_file.h"
#include "pki/test_temp_dir.h"

namespace kcpp::kubelet::network {
namespace {

namespace json = boost::json;

TEST(CniConflist, BridgeWithHostLocalOverThePodCidrThenPortmap) {
  CniOptions o;
  o.podCidrs = {"10.42.3.0/24"};
  o.ipamDataDir = "/var/lib/kcpp/agent/cni/networks";
  auto conf = cniConflist(o);
  ASSERT_TRUE(conf) << conf.error().message;
  EXPECT_EQ((*conf)["cniVersion"], "1.0.0");
  EXPECT_EQ((*conf)["name"], "kcpp");
  auto& plugins = (*conf)["plugins"].as_array();
  ASSERT_EQ(plugins.size(), 2u);
  auto& bridge = plugins[0].as_object();
  EXPECT_EQ(bridge["type"], "bridge");
  EXPECT_EQ(bridge["bridge"], "cni0");
  EXPECT_EQ(bridge["isGateway"], true);
  EXPECT_EQ(bridge["ipMasq"], true);
  EXPECT_EQ(bridge["hairpinMode"], true);
  auto& ipam = bridge["ipam"].as_object();
  EXPECT_EQ(ipam["type"], "host-local");
  EXPECT_EQ(json::serialize(ipam["ranges"]), R"([[{"subnet":"10.42.3.0/24"}]])");
  EXPECT_EQ(json::serialize(ipam["routes"]), R"([{"dst":"0.0.0.0/0"}])");
  EXPECT_EQ(ipam["dataDir"], "/var/lib/kcpp/agent/cni/networks");
  auto& portmap = plugins[1].as_object();
  EXPECT_EQ(portmap["type"], "portmap");
  EXPECT_EQ(portmap["capabilities"].at("portMappings"), true);
}

TEST(CniConflist, DualStack) {
  CniOptions o;
  o.podCidrs = {"10.42.0.0/24", "fd42::/64"};
  auto conf = cniConflist(o);
  ASSERT_TRUE(conf);
  auto& ipam = (*conf)["plugins"].as_array()[0].at("ipam").as_object();
  EXPECT_EQ(json::serialize(ipam["ranges"]), R"([[{"subnet":"10.42.0.0/24"}],[{"subnet":"fd42::/64"}]])");
  EXPECT_EQ(json::serialize(ipam["routes"]), R"([{"dst":"0.0.0.0/0"},{"dst":"::/0"}])");
  EXPECT_FALSE(ipam.contains("dataDir"));
}

TEST(CniConflist, RejectsBadCidrs) {
  for (std::vector<std::string> bad : std::vector<std::vector<std::string>>{
           {}, {"10.42.0.0"}, {"10.42.0.0/33"}, {"10.42.0.300/24"}, {"010.42.0.0/24"}, {"10.42.0.0/31"},
           {"10.42.0.0/24", "10.43.0.0/24"}, {"fd00::/64", "fd01::/64"}, {"a", "b", "c"}, {"10.42.0.0/x"}}) {
    CniOptions o;
    o.podCidrs = bad;
    auto r = cniConflist(o);
    ASSERT_FALSE(r) << (bad.empty() ? "(none)" : bad[0]);
    EXPECT_EQ(r.error().reason, Reason::BadRequest);
  }
}

TEST(NodePodCidrs, ReadsTheNodeSpec) {
  auto node = json::parse(R"({"spec":{"podCIDR":"10.42.1.0/24","podCIDRs":["10.42.1.0/24","fd42:1::/64"]}})");
  EXPECT_EQ(*nodePodCidrs(node.as_object()), (std::vector<std::string>{"10.42.1.0/24", "fd42:1::/64"}));
  node = json::parse(R"({"spec":{"podCIDR":"10.42.2.0/24"}})");
  EXPECT_EQ(*nodePodCidrs(node.as_object()), std::vector<std::string>{"10.42.2.0/24"});
  auto none = nodePodCidrs(json::parse(R"({"spec":{}})").as_object());
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().reason, Reason::NotFound);
  EXPECT_FALSE(nodePodCidrs(json::object{}));
}

TEST(WriteCniConflist, WritesOnlyWhenChanged) {
  pki::TempDir dir;
  auto confDir = dir.path() / "agent/etc/cni/net.d";
  CniOptions o;
  o.podCidrs = {"10.42.0.0/24"};
  auto first = writeCniConflist(confDir, o);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(*first);
  auto path = confDir / kConflistName;
  auto text = pki::readFile(path);
  ASSERT_TRUE(text);
  EXPECT_EQ(json::parse(*text).as_object()["plugins"].as_array()[0].at("ipam").at("ranges").as_array()[0]
                .as_array()[0].at("subnet"),
            "10.42.0.0/24");
  struct stat before {};
  ASSERT_EQ(::stat(path.c_str(), &before), 0);
  EXPECT_EQ(before.st_mode & 0777, 0644u);

  auto again = writeCniConflist(confDir, o);
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
  struct stat after {};
  ASSERT_EQ(::stat(path.c_str(), &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino);  // untouched: not even replaced

  o.podCidrs = {"10.42.9.0/24"};
  auto changed = writeCniConflist(confDir, o);
  ASSERT_TRUE(changed);
  EXPECT_TRUE(*changed);
  EXPECT_NE(pki::readFile(path)->find("10.42.9.0/24"), std::string::npos);
  // No temporary files left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(confDir), std::filesystem::directory_iterator()), 1);

  o.podCidrs = {"bogus"};
  EXPECT_FALSE(writeCniConflist(confDir, o));
  EXPECT_NE(pki::readFile(path)->find("10.42.9.0/24"), std::string::npos);  // a bad CIDR keeps the old file
}

TEST(SyncCniConflist, FollowsTheNodesPodCidr) {
  pki::TempDir dir;
  CniOptions base;
  base.ipamDataDir = "/data/agent/cni/networks";
  auto pending = syncCniConflist(dir.path(), json::parse(R"({"metadata":{"name":"n1"},"spec":{}})").as_object(), base);
  ASSERT_FALSE(pending);
  EXPECT_EQ(pending.error().reason, Reason::NotFound);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / kConflistName));

  auto node = json::parse(R"({"spec":{"podCIDR":"10.42.5.0/24","podCIDRs":["10.42.5.0/24"]}})").as_object();
  auto first = syncCniConflist(dir.path(), node, base);
  ASSERT_TRUE(first);
  EXPECT_TRUE(*first);
  EXPECT_FALSE(*syncCniConflist(dir.path(), node, base));
  auto text = pki::readFile(dir.path() / kConflistName);
  ASSERT_TRUE(text);
  EXPECT_NE(text->find("\"subnet\":\"10.42.5.0/24\""), std::string::npos) << *text;
  EXPECT_NE(text->find("/data/agent/cni/networks"), std::string::npos);
}

}  // namespace
}  // namespace kcpp::kubelet::network
