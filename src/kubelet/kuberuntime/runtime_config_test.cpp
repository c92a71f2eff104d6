#include "kubelet/kuberuntime/runtime_config.h"

#include <gtest/gtest.h>

#include "kubelet/kuberuntime/container_hash.h"
#include "kubelet/kuberuntime/cri_convert.h"
#include "pki/test_temp_dir.h"

#include <fstream>
#include "kubelet/kuberuntime/runtime_pod.h"

namespace kcpp::kubelet::kuberuntime {
namespace {

json::object pod(const std::string& specJson) {
  json::object p{{"metadata", json::object{{"name", "web"}, {"namespace", "shop"}, {"uid", "u-1"},
                                           {"labels", json::object{{"app", "web"}}},
                                           {"annotations", json::object{{"note", "x"}}}}}};
  p["spec"] = json::parse(specJson).as_object();
  return p;
}

std::vector<std::string> list(const google::protobuf::RepeatedPtrField<std::string>& r) { return {r.begin(), r.end()}; }

RuntimeOptions clusterOptions() {
  RuntimeOptions o;
  o.dataDir = "/data/agent";
  o.clusterDns = {"10.43.0.10"};
  o.clusterDomain = "cluster.local";
  o.memoryCapacityBytes = 8LL << 30;
  return o;
}

TEST(ResolvConf, Parses) {
  ResolvConf r = parseResolvConf("# comment\nnameserver 1.1.1.1\nnameserver 8.8.8.8 ; x\nsearch a.example b.example\noptions ndots:2 edns0\n");
  EXPECT_EQ(r.nameservers, (std::vector<std::string>{"1.1.1.1", "8.8.8.8"}));
  EXPECT_EQ(r.searches, (std::vector<std::string>{"a.example", "b.example"}));
  EXPECT_EQ(r.options, (std::vector<std::string>{"ndots:2", "edns0"}));
}

TEST(PodDns, PoliciesAsUpstream) {
  ResolvConf host{{"192.168.1.1"}, {"corp.example"}, {"edns0"}};
  RuntimeOptions o = clusterOptions();
  v1::DNSConfig cluster = podDnsConfig(pod(R"({})"), o, host);
  EXPECT_EQ(list(cluster.servers()), (std::vector<std::string>{"10.43.0.10"}));
  EXPECT_EQ(list(cluster.searches()),
            (std::vector<std::string>{"shop.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example"}));
  EXPECT_EQ(list(cluster.options()), (std::vector<std::string>{"ndots:5"}));
  // hostNetwork with ClusterFirst uses the host's settings; ClusterFirstWithHostNet the cluster's.
  v1::DNSConfig hostNet = podDnsConfig(pod(R"({"hostNetwork":true})"), o, host);
  EXPECT_EQ(list(hostNet.servers()), (std::vector<std::string>{"192.168.1.1"}));
  EXPECT_EQ(list(hostNet.options()), (std::vector<std::string>{"edns0"}));
  v1::DNSConfig withHostNet = podDnsConfig(pod(R"({"hostNetwork":true,"dnsPolicy":"ClusterFirstWithHostNet"})"), o, host);
  EXPECT_EQ(list(withHostNet.servers()), (std::vector<std::string>{"10.43.0.10"}));
  v1::DNSConfig def = podDnsConfig(pod(R"({"dnsPolicy":"Default"})"), o, host);
  EXPECT_EQ(list(def.searches()), (std::vector<std::string>{"corp.example"}));
  v1::DNSConfig none = podDnsConfig(pod(R"({"dnsPolicy":"None","dnsConfig":{"nameservers":["9.9.9.9"],
      "searches":["s.example"],"options":[{"name":"ndots","value":"1"},{"name":"rotate"}]}})"), o, host);
  EXPECT_EQ(list(none.servers()), (std::vector<std::string>{"9.9.9.9"}));
  EXPECT_EQ(list(none.searches()), (std::vector<std::string>{"s.example"}));
  EXPECT_EQ(list(none.options()), (std::vector<std::string>{"ndots:1", "rotate"}));
  // dnsConfig options override the policy's by name.
  v1::DNSConfig merged = podDnsConfig(pod(R"({"dnsConfig":{"options":[{"name":"ndots","value":"2"}]}})"), o, host);
  EXPECT_EQ(list(merged.options()), (std::vector<std::string>{"ndots:2"}));
  // No cluster DNS known: ClusterFirst falls back to the host's.
  RuntimeOptions noDns = o;
  noDns.clusterDns.clear();
  EXPECT_EQ(list(podDnsConfig(pod(R"({})"), noDns, host).servers()), (std::vector<std::string>{"192.168.1.1"}));
}

TEST(SandboxConfig, MetadataHostnameLogsPortsNamespacesSysctls) {
  json::object p = pod(R"({"hostname":"db-0","subdomain":"db","hostIPC":true,
      "securityContext":{"runAsUser":1000,"runAsGroup":3000,"fsGroup":2000,"supplementalGroups":[5],
                         "sysctls":[{"name":"net.ipv4.ip_unprivileged_port_start","value":"0"}]},
      "containers":[{"name":"a","ports":[{"containerPort":5432,"hostPort":15432,"protocol":"TCP"},{"containerPort":53,"hostPort":53,"protocol":"UDP","hostIP":"127.0.0.1"},{"containerPort":80}]}]})");
  v1::PodSandboxConfig c = makeSandboxConfig(p, 2, clusterOptions(), ResolvConf{});
  EXPECT_EQ(c.metadata().name(), "web");
  EXPECT_EQ(c.metadata().namespace_(), "shop");
  EXPECT_EQ(c.metadata().uid(), "u-1");
  EXPECT_EQ(c.metadata().attempt(), 2u);
  EXPECT_EQ(c.hostname(), "db-0");
  EXPECT_EQ(c.log_directory(), "/data/agent/logs/pods/shop_web_u-1");
  EXPECT_EQ(c.labels().at(kPodNameLabel), "web");
  EXPECT_EQ(c.labels().at(kPodNamespaceLabel), "shop");
  EXPECT_EQ(c.labels().at(kPodUidLabel), "u-1");
  EXPECT_EQ(c.labels().at("app"), "web");
  EXPECT_EQ(c.annotations().at("note"), "x");
  ASSERT_EQ(c.port_mappings_size(), 2);
  EXPECT_EQ(c.port_mappings(0).container_port(), 5432);
  EXPECT_EQ(c.port_mappings(0).host_port(), 15432);
  EXPECT_EQ(c.port_mappings(1).protocol(), v1::UDP);
  EXPECT_EQ(c.port_mappings(1).host_ip(), "127.0.0.1");
  const auto& sc = c.linux().security_context();
  EXPECT_EQ(sc.namespace_options().network(), v1::POD);
  EXPECT_EQ(sc.namespace_options().ipc(), v1::NODE);
  EXPECT_EQ(sc.namespace_options().pid(), v1::CONTAINER);
  EXPECT_EQ(sc.run_as_user().value(), 1000);
  EXPECT_EQ(sc.run_as_group().value(), 3000);
  EXPECT_EQ(std::vector<std::int64_t>(sc.supplemental_groups().begin(), sc.supplemental_groups().end()),
            (std::vector<std::int64_t>{5, 2000}));
  EXPECT_EQ(c.linux().sysctls().at("net.ipv4.ip_unprivileged_port_start"), "0");
  v1::PodSandboxConfig host = makeSandboxConfig(pod(R"({"hostNetwork":true,"hostPID":true})"), 0, clusterOptions(), ResolvConf{});
  EXPECT_EQ(host.hostname(), "");  // the node's
  EXPECT_EQ(host.linux().security_context().namespace_options().network(), v1::NODE);
  EXPECT_EQ(host.linux().security_context().namespace_options().pid(), v1::NODE);
  v1::PodSandboxConfig shared = makeSandboxConfig(pod(R"({"shareProcessNamespace":true})"), 0, clusterOptions(), ResolvConf{});
  EXPECT_EQ(shared.linux().security_context().namespace_options().pid(), v1::POD);
  std::string longName(70, 'a');
  json::object named = pod(R"({})");
  named["metadata"].as_object()["name"] = longName;
  EXPECT_EQ(podHostname(named).size(), 63u);
}

TEST(ContainerConfig, EverythingTheRuntimeNeeds) {
  json::object p = pod(R"({"terminationGracePeriodSeconds":45,"securityContext":{"runAsUser":1000}})");
  json::object c = json::parse(R"J({"name":"app","image":"busybox:1.35","command":["sh","-c"],
      "args":["echo $(MSG) $$(MSG) $(NOPE)"],"workingDir":"/w","stdin":true,"tty":true,
      "resources":{"requests":{"cpu":"250m","memory":"64Mi"},"limits":{"cpu":"500m","memory":"128Mi"}},
      "securityContext":{"runAsUser":2000,"readOnlyRootFilesystem":true,"allowPrivilegeEscalation":false,
        "capabilities":{"add":["NET_ADMIN"],"drop":["ALL"]}},
      "lifecycle":{"preStop":{"exec":{"command":["true"]}}},
      "terminationMessagePolicy":"FallbackToLogsOnError"})J").as_object();
  ContainerInputs in;
  in.restartCount = 3;
  in.imageRef = "sha256:abc";
  in.env = {{"MSG", "hi"}};
  in.mounts = {{"/data", "/host/data", true, "HostToContainer"}};
  in.terminationMessageHostPath = "/data/agent/pods/u-1/containers/app/3";
  v1::ContainerConfig cfg = makeContainerConfig(p, c, in, clusterOptions());
  EXPECT_EQ(cfg.metadata().name(), "app");
  EXPECT_EQ(cfg.metadata().attempt(), 3u);
  EXPECT_EQ(cfg.image().image(), "sha256:abc");
  EXPECT_EQ(cfg.image().user_specified_image(), "busybox:1.35");
  EXPECT_EQ(list(cfg.command()), (std::vector<std::string>{"sh", "-c"}));
  EXPECT_EQ(list(cfg.args()), (std::vector<std::string>{"echo hi $(MSG) $(NOPE)"}));
  EXPECT_EQ(cfg.working_dir(), "/w");
  EXPECT_TRUE(cfg.stdin());
  EXPECT_TRUE(cfg.tty());
  EXPECT_EQ(cfg.log_path(), "app/3.log");
  ASSERT_EQ(cfg.envs_size(), 1);
  EXPECT_EQ(cfg.envs(0).key(), "MSG");
  ASSERT_EQ(cfg.mounts_size(), 2);
  EXPECT_EQ(cfg.mounts(0).container_path(), "/data");
  EXPECT_TRUE(cfg.mounts(0).readonly());
  EXPECT_EQ(cfg.mounts(0).propagation(), v1::PROPAGATION_HOST_TO_CONTAINER);
  EXPECT_EQ(cfg.mounts(1).container_path(), "/dev/termination-log");
  EXPECT_EQ(cfg.mounts(1).host_path(), "/data/agent/pods/u-1/containers/app/3");
  EXPECT_EQ(cfg.labels().at(kContainerNameLabel), "app");
  EXPECT_EQ(cfg.labels().at(kPodUidLabel), "u-1");
  EXPECT_EQ(cfg.annotations().at(kContainerHashAnnotation), containerHash(c));
  EXPECT_EQ(cfg.annotations().at(kRestartCountAnnotation), "3");
  EXPECT_EQ(cfg.annotations().at(kTerminationMessagePolicyAnnotation), "FallbackToLogsOnError");
  EXPECT_EQ(cfg.annotations().at(kGracePeriodAnnotation), "45");
  const auto& r = cfg.linux().resources();
  EXPECT_EQ(r.cpu_shares(), 256);
  EXPECT_EQ(r.cpu_period(), 100000);
  EXPECT_EQ(r.cpu_quota(), 50000);
  EXPECT_EQ(r.memory_limit_in_bytes(), 128LL << 20);
  EXPECT_GE(r.oom_score_adj(), 0);
  const auto& sc = cfg.linux().security_context();
  EXPECT_EQ(sc.run_as_user().value(), 2000);  // the container's wins
  EXPECT_TRUE(sc.readonly_rootfs());
  EXPECT_TRUE(sc.no_new_privs());
  EXPECT_FALSE(sc.privileged());
  EXPECT_EQ(list(sc.capabilities().add_capabilities()), (std::vector<std::string>{"NET_ADMIN"}));
  EXPECT_EQ(list(sc.capabilities().drop_capabilities()), (std::vector<std::string>{"ALL"}));
  EXPECT_GT(sc.masked_paths_size(), 0);
  EXPECT_GT(sc.readonly_paths_size(), 0);
  EXPECT_EQ(sc.seccomp().profile_type(), v1::SecurityProfile::Unconfined);
  // Privileged: no masked paths; allowPrivilegeEscalation unset: no no_new_privs.
  json::object priv = json::parse(R"({"name":"p","image":"x","securityContext":{"privileged":true}})").as_object();
  v1::ContainerConfig pc = makeContainerConfig(pod(R"({})"), priv, ContainerInputs{}, clusterOptions());
  EXPECT_TRUE(pc.linux().security_context().privileged());
  EXPECT_FALSE(pc.linux().security_context().no_new_privs());
  EXPECT_EQ(pc.linux().security_context().masked_paths_size(), 0);
  EXPECT_EQ(pc.mounts_size(), 0);  // no termination message file given
}

TEST(EtcHosts, ManagedContentAsUpstream) {
  json::object p = pod(R"({"hostname":"db-0","subdomain":"db",
      "hostAliases":[{"ip":"10.1.2.3","hostnames":["foo.local","bar.local"]}]})");
  std::string hosts = etcHostsContent(p, {"10.42.0.9"}, clusterOptions());
  EXPECT_EQ(hosts,
            "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
            "fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n"
            "10.42.0.9\tdb-0.db.shop.svc.cluster.local\tdb-0\n"
            "\n# Entries added by HostAliases.\n10.1.2.3\tfoo.local\tbar.local\n");
  std::string plain = etcHostsContent(pod(R"({})"), {"10.42.0.9"}, clusterOptions());
  EXPECT_NE(plain.find("10.42.0.9\tweb\n"), std::string::npos);
  json::object c{{"name", "a"}};
  EXPECT_TRUE(wantsManagedEtcHosts(pod(R"({})"), c));
  EXPECT_FALSE(wantsManagedEtcHosts(pod(R"({"hostNetwork":true})"), c));
  json::object own = json::parse(R"({"name":"a","volumeMounts":[{"name":"v","mountPath":"/etc/hosts"}]})").as_object();
  EXPECT_FALSE(wantsManagedEtcHosts(pod(R"({})"), own));
}

TEST(CriLogs, TailDropsThePrefixes) {
  pki::TempDir dir;
  std::string file = (dir.path() / "0.log").string();
  std::ofstream(file) << "2026-01-01T00:00:00.000000000Z stdout F one\n"
                         "2026-01-01T00:00:01.000000000Z stderr F two words\n"
                         "2026-01-01T00:00:02.000000000Z stdout F three\n";
  EXPECT_EQ(logTail(file), "one\ntwo words\nthree\n");
  EXPECT_EQ(logTail(file, 2), "two words\nthree\n");
  EXPECT_EQ(logTail(file, 80, 6), "three\n");
  EXPECT_EQ(logTail(file + ".absent"), "");
}

TEST(GracePeriod, DeletionOverridesSpec) {
  json::object p = pod(R"({"terminationGracePeriodSeconds":45})");
  EXPECT_EQ(podGracePeriod(p), 45);
  EXPECT_EQ(podGracePeriod(pod(R"({})")), 30);
  p["metadata"].as_object()["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  p["metadata"].as_object()["deletionGracePeriodSeconds"] = 5;
  EXPECT_EQ(podGracePeriod(p), 5);
}

}  // namespace
}  // namespace kcpp::kubelet::kuberuntime
