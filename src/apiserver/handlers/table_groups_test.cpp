// Table cells of the networking, discovery, rbac, storage, scheduling, policy and
// coordination resources.

#include <gtest/gtest.h>

#include "apiserver/handlers/table_test_util.h"

namespace kcpp::apiserver {
namespace {

using namespace tabletest;  // NOLINT

TEST(NetworkingTable, Ingresses) {
  Table t("networking.k8s.io", "ingresses",
          {R"({"metadata":{"name":"web","creationTimestamp":"AGO[45]"},"spec":{
              "ingressClassName":"traefik","rules":[{"host":"a.example.com"},{},
              {"host":"b.example.com"},{"host":"c.example.com"},{"host":"d.example.com"}],
              "tls":[{"hosts":["a.example.com"],"secretName":"tls"}]},
              "status":{"loadBalancer":{"ingress":[{"ip":"192.168.1.20"},{"ip":"192.168.1.10"},
              {"hostname":"lb.example.com"},{"ip":"192.168.1.10"}]}}})",
           R"({"metadata":{"name":"default","creationTimestamp":"AGO[45]"},"spec":{
              "defaultBackend":{"service":{"name":"web","port":{"number":80}}}}})"});
  EXPECT_EQ(t.headers(), "Name | Class | Hosts | Address | Ports | Age");
  EXPECT_EQ(t.row(0),
            "web | traefik | a.example.com,b.example.com,c.example.com + 2 more... | "
            "192.168.1.10,192.168.1.20,lb.example.com | 80, 443 | 45s");
  EXPECT_EQ(t.row(1), "default | <none> | * |  | 80 | 45s");
}

TEST(NetworkingTable, IngressClassesAndNetworkPolicies) {
  Table ic("networking.k8s.io", "ingressclasses",
           {R"({"metadata":{"name":"nginx","creationTimestamp":"AGO[45]"},"spec":{
               "controller":"k8s.io/ingress-nginx","parameters":{"apiGroup":"k8s.example.com",
               "kind":"IngressParameters","name":"external-lb"}}})",
            R"({"metadata":{"name":"plain","creationTimestamp":"AGO[45]"},"spec":{
               "controller":"example.com/ingress"}})"});
  EXPECT_EQ(ic.headers(), "Name | Controller | Parameters | Age");
  EXPECT_EQ(ic.row(0),
            "nginx | k8s.io/ingress-nginx | IngressParameters.k8s.example.com/external-lb | 45s");
  EXPECT_EQ(ic.row(1), "plain | example.com/ingress | <none> | 45s");
  Table np("networking.k8s.io", "networkpolicies",
           {R"({"metadata":{"name":"deny","creationTimestamp":"AGO[45]"},"spec":{
               "podSelector":{}}})",
            R"({"metadata":{"name":"db","creationTimestamp":"AGO[45]"},"spec":{
               "podSelector":{"matchLabels":{"role":"db"}}}})"});
  EXPECT_EQ(np.headers(), "Name | Pod-Selector | Age");
  EXPECT_EQ(np.row(0), "deny | <none> | 45s");
  EXPECT_EQ(np.row(1), "db | role=db | 45s");
}

TEST(DiscoveryTable, EndpointSlices) {
  Table t("discovery.k8s.io", "endpointslices",
          {R"({"metadata":{"name":"web-abc12","creationTimestamp":"AGO[45]"},
              "addressType":"IPv4","ports":[{"name":"http","port":80,"protocol":"TCP"},
              {"name":"named"},{}, {"port":9090}],
              "endpoints":[{"addresses":["10.42.0.5"]},{"addresses":["10.42.0.6","10.42.0.7"]},
              {"addresses":["10.42.0.8"]}]})",
           R"({"metadata":{"name":"empty","creationTimestamp":"AGO[45]"},
              "addressType":"IPv6","ports":null,"endpoints":[]})"});
  EXPECT_EQ(t.headers(), "Name | AddressType | Ports | Endpoints | Age");
  EXPECT_EQ(t.row(0),
            "web-abc12 | IPv4 | 80,named,* + 1 more... | 10.42.0.5,10.42.0.6,10.42.0.7 + 1 "
            "more... | 45s");
  EXPECT_EQ(t.row(1), "empty | IPv6 | <unset> | <unset> | 45s");
}

TEST(RbacTable, BindingsWithSubjects) {
  Table t("rbac.authorization.k8s.io", "rolebindings",
          {R"({"metadata":{"name":"edit","creationTimestamp":"AGO[45]"},
              "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole",
              "name":"edit"},"subjects":[{"kind":"User","name":"alice"},
              {"kind":"Group","name":"devs"},{"kind":"User","name":"bob"},
              {"kind":"ServiceAccount","name":"ci","namespace":"build"}]})"});
  EXPECT_EQ(t.headers(), "Name | Role | Age | Users* | Groups* | ServiceAccounts*");
  EXPECT_EQ(t.row(), "edit | ClusterRole/edit | 45s | alice, bob | devs | build/ci");
  const auto& users = t.raw().at("columnDefinitions").as_array()[3];
  EXPECT_EQ(users.at("description"), "Users in the roleBinding");
  Table c("rbac.authorization.k8s.io", "clusterrolebindings",
          {R"({"metadata":{"name":"admin","creationTimestamp":"AGO[45]"},
              "roleRef":{"kind":"ClusterRole","name":"cluster-admin"}})"});
  EXPECT_EQ(c.row(), "admin | ClusterRole/cluster-admin | 45s |  |  | ");
}

TEST(ClusterTable, StorageClassesAndPriorityClasses) {
  Table sc("storage.k8s.io", "storageclasses",
           {R"({"metadata":{"name":"local-path","creationTimestamp":"AGO[45]","annotations":{
               "storageclass.kubernetes.io/is-default-class":"true"}},
               "provisioner":"rancher.io/local-path","reclaimPolicy":"Retain",
               "volumeBindingMode":"WaitForFirstConsumer","allowVolumeExpansion":true})",
            R"({"metadata":{"name":"fast","creationTimestamp":"AGO[45]"},
               "provisioner":"csi.example.com"})"});
  EXPECT_EQ(sc.headers(),
            "Name | Provisioner | ReclaimPolicy | VolumeBindingMode | AllowVolumeExpansion | Age");
  EXPECT_EQ(sc.row(0),
            "local-path (default) | rancher.io/local-path | Retain | WaitForFirstConsumer | "
            "true | 45s");
  EXPECT_EQ(sc.row(1), "fast | csi.example.com | Delete | Immediate | false | 45s");
  Table pc("scheduling.k8s.io", "priorityclasses",
           {R"({"metadata":{"name":"system-node-critical","creationTimestamp":"AGO[45]"},
               "value":2000001000,"globalDefault":false,"preemptionPolicy":"Never"})",
            R"({"metadata":{"name":"high","creationTimestamp":"AGO[45]"},"value":1000,
               "globalDefault":true})"});
  EXPECT_EQ(pc.headers(), "Name | Value | Global-Default | Age | PreemptionPolicy");
  EXPECT_EQ(pc.row(0), "system-node-critical | 2000001000 | false | 45s | Never");
  EXPECT_EQ(pc.row(1), "high | 1000 | true | 45s | PreemptLowerPriority");
  EXPECT_TRUE(pc.cell("Global-Default").is_bool());
}

TEST(ClusterTable, PodDisruptionBudgetsAndLeases) {
  Table pdb("policy", "poddisruptionbudgets",
            {R"({"metadata":{"name":"web","creationTimestamp":"AGO[45]"},"spec":{
                "minAvailable":2},"status":{"disruptionsAllowed":1}})",
             R"({"metadata":{"name":"db","creationTimestamp":"AGO[45]"},"spec":{
                "maxUnavailable":"25%"}})"});
  EXPECT_EQ(pdb.headers(), "Name | Min Available | Max Unavailable | Allowed Disruptions | Age");
  EXPECT_EQ(pdb.row(0), "web | 2 | N/A | 1 | 45s");
  EXPECT_EQ(pdb.row(1), "db | N/A | 25% | 0 | 45s");
  Table lease("coordination.k8s.io", "leases",
              {R"({"metadata":{"name":"kube-scheduler","creationTimestamp":"AGO[45]"},"spec":{
                  "holderIdentity":"node-1_7f3e","leaseDurationSeconds":15}})",
               R"({"metadata":{"name":"free","creationTimestamp":"AGO[45]"},"spec":{}})"});
  EXPECT_EQ(lease.headers(), "Name | Holder | Age");
  EXPECT_EQ(lease.row(0), "kube-scheduler | node-1_7f3e | 45s");
  EXPECT_EQ(lease.row(1), "free |  | 45s");
}

}  // namespace
}  // namespace kcpp::apiserver
