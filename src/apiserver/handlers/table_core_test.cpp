// Core-group Table cells: services, endpoints, nodes, events, volumes and the
// small resources, as upstream prints them.

#include <gtest/gtest.h>

#include "apiserver/handlers/table_test_util.h"

namespace kcpp::apiserver {
namespace {

using namespace tabletest;  // NOLINT

std::string service(const std::string& name, const std::string& spec,
                    const std::string& status = "{}") {
  return R"({"metadata":{"name":")" + name + R"(","creationTimestamp":"AGO[36000]"},"spec":{)" +
         spec + R"(},"status":)" + status + "}";
}

TEST(ServiceTable, TypesPortsAndExternalIPs) {
  Table t("", "services",
          {service("kubernetes", R"("type":"ClusterIP","clusterIP":"10.43.0.1",
                   "clusterIPs":["10.43.0.1"],"ports":[{"name":"https","port":443,
                   "protocol":"TCP","targetPort":6443}])"),
           service("web", R"("type":"NodePort","clusterIPs":["10.43.12.7"],
                   "selector":{"app":"web","tier":"fe"},"ports":[{"port":80,"protocol":"TCP",
                   "nodePort":30080},{"port":53,"protocol":"UDP","nodePort":30053}])"),
           service("lb", R"("type":"LoadBalancer","clusterIPs":["10.43.1.2"],
                   "ports":[{"port":80,"protocol":"TCP","nodePort":31000}])"),
           service("lb2", R"("type":"LoadBalancer","clusterIPs":["10.43.1.3"],
                   "externalIPs":["192.0.2.10"],"ports":[{"port":443,"protocol":"TCP"}])",
                   R"({"loadBalancer":{"ingress":[{"ip":"203.0.113.9"},
                   {"hostname":"a-very-long-load-balancer-name.elb.example.com"}]}})"),
           service("db", R"("type":"ExternalName","externalName":"db.example.com")"),
           service("headless", R"("clusterIP":"None","clusterIPs":["None"],
                   "selector":{"app":"db"})")});
  EXPECT_EQ(t.headers(), "Name | Type | Cluster-IP | External-IP | Port(s) | Age | Selector*");
  EXPECT_EQ(t.row(0), "kubernetes | ClusterIP | 10.43.0.1 | <none> | 443/TCP | 10h | <none>");
  EXPECT_EQ(t.row(1),
            "web | NodePort | 10.43.12.7 | <none> | 80:30080/TCP,53:30053/UDP | 10h | "
            "app=web,tier=fe");
  EXPECT_EQ(t.text("External-IP", 2), "<pending>");
  EXPECT_EQ(t.text("Port(s)", 2), "80:31000/TCP");
  // The apiserver prints wide: load balancer addresses are not clipped.
  EXPECT_EQ(t.text("External-IP", 3),
            "203.0.113.9,a-very-long-load-balancer-name.elb.example.com,192.0.2.10");
  EXPECT_EQ(t.row(4), "db | ExternalName | <none> | db.example.com | <none> | 10h | <none>");
  EXPECT_EQ(t.row(5), "headless | ClusterIP | None | <none> | <none> | 10h | app=db");
}

TEST(ServiceTable, ExternalIPsOnClusterIPServices) {
  Table t("", "services", {service("s", R"("type":"ClusterIP","clusterIP":"10.43.5.5",
                                    "externalIPs":["198.51.100.1","198.51.100.2"],
                                    "ports":[{"port":8080,"protocol":"SCTP"}])")});
  EXPECT_EQ(t.text("Cluster-IP"), "10.43.5.5");
  EXPECT_EQ(t.text("External-IP"), "198.51.100.1,198.51.100.2");
  EXPECT_EQ(t.text("Port(s)"), "8080/SCTP");
}

TEST(EndpointsTable, FirstThreeThenMore) {
  Table t("", "endpoints",
          {R"({"metadata":{"name":"web","creationTimestamp":"AGO[60]"},"subsets":[
              {"addresses":[{"ip":"10.42.0.5"},{"ip":"10.42.0.6"}],
               "ports":[{"name":"http","port":8080},{"name":"metrics","port":9090}]}]})",
           R"({"metadata":{"name":"none","creationTimestamp":"AGO[60]"}})",
           R"({"metadata":{"name":"headless","creationTimestamp":"AGO[60]"},"subsets":[
              {"addresses":[{"ip":"fd00::1"}]}]})",
           R"({"metadata":{"name":"v6","creationTimestamp":"AGO[60]"},"subsets":[
              {"addresses":[{"ip":"fd00::1"}],"ports":[{"port":53}]},
              {"notReadyAddresses":[{"ip":"10.0.0.9"}],"ports":[{"port":53}]}]})"});
  EXPECT_EQ(t.headers(), "Name | Endpoints | Age");
  EXPECT_EQ(t.row(0), "web | 10.42.0.5:8080,10.42.0.6:8080,10.42.0.5:9090 + 1 more... | 60s");
  EXPECT_EQ(t.text("Endpoints", 1), "<none>");
  EXPECT_EQ(t.text("Endpoints", 2), "fd00::1");
  EXPECT_EQ(t.text("Endpoints", 3), "[fd00::1]:53");
}

TEST(NodeTable, StatusRolesAndWideColumns) {
  Table t("", "nodes",
          {R"({"metadata":{"name":"node-1","creationTimestamp":"AGO[90000]","labels":{
                "node-role.kubernetes.io/control-plane":"","node-role.kubernetes.io/master":"",
                "kubernetes.io/role":"etcd","kubernetes.io/hostname":"node-1"}},
              "spec":{"unschedulable":true},
              "status":{"conditions":[{"type":"MemoryPressure","status":"False"},
                                      {"type":"Ready","status":"True"}],
                "addresses":[{"type":"InternalIP","address":"192.168.1.10"},
                             {"type":"Hostname","address":"node-1"}],
                "nodeInfo":{"kubeletVersion":"v1.33.1+kcpp","osImage":"Ubuntu 24.04 LTS",
                  "kernelVersion":"6.8.0-31-generic",
                  "containerRuntimeVersion":"containerd://1.7.20"}}})",
           R"({"metadata":{"name":"node-2","creationTimestamp":"AGO[60]"},
              "status":{"conditions":[{"type":"Ready","status":"Unknown"}],
                "addresses":[{"type":"ExternalIP","address":"203.0.113.4"}]}})",
           R"({"metadata":{"name":"node-3","creationTimestamp":"AGO[60]"}})"});
  EXPECT_EQ(t.headers(),
            "Name | Status | Roles | Age | Version | Internal-IP* | External-IP* | OS-Image* | "
            "Kernel-Version* | Container-Runtime*");
  EXPECT_EQ(t.row(0),
            "node-1 | Ready,SchedulingDisabled | control-plane,etcd,master | 25h | v1.33.1+kcpp | "
            "192.168.1.10 | <none> | Ubuntu 24.04 LTS | 6.8.0-31-generic | containerd://1.7.20");
  EXPECT_EQ(t.row(1),
            "node-2 | NotReady | <none> | 60s |  | <none> | 203.0.113.4 | <unknown> | "
            "<unknown> | <unknown>");
  EXPECT_EQ(t.text("Status", 2), "Unknown");
}

TEST(EventTable, CoreEvents) {
  Table t("", "events",
          {R"({"metadata":{"name":"web.17f3a","namespace":"default"},
              "involvedObject":{"kind":"Pod","name":"web","fieldPath":"spec.containers{nginx}"},
              "reason":"Pulled","message":"Successfully pulled image \"nginx\"\n","type":"Normal",
              "source":{"component":"kubelet","host":"node-1"},
              "firstTimestamp":"AGO[600]","lastTimestamp":"AGO[30]","count":4})",
           R"({"metadata":{"name":"x.1"},"involvedObject":{"kind":"Node"},"type":"Warning",
              "reason":"Rebooted","eventTime":"2000-01-01T00:00:00.000000Z",
              "reportingController":"kubelet","reportingInstance":"node-9",
              "series":{"count":7,"lastObservedTime":"AGO[5]"}})"});
  EXPECT_EQ(t.headers(),
            "Last Seen | Type | Reason | Object | Subobject* | Source* | Message | First Seen* | "
            "Count* | Name*");
  EXPECT_EQ(t.row(0),
            "30s | Normal | Pulled | pod/web | spec.containers{nginx} | kubelet, node-1 | "
            "Successfully pulled image \"nginx\" | 10m | 4 | web.17f3a");
  EXPECT_EQ(t.text("Last Seen", 1), "5s");
  EXPECT_EQ(t.text("Object", 1), "node");
  EXPECT_EQ(t.text("Source", 1), "kubelet, node-9");
  EXPECT_EQ(t.cell("Count", 1), json::value(7));
}

TEST(EventTable, EventsApiGroupUsesItsFieldNames) {
  Table t("events.k8s.io", "events",
          {R"({"metadata":{"name":"ev1"},"eventTime":"AGO[90]","type":"Normal",
              "reason":"Scheduled","note":"Successfully assigned default/web to node-1",
              "regarding":{"kind":"Pod","name":"web"},"reportingController":"default-scheduler",
              "reportingInstance":"default-scheduler-node-1","action":"Binding"})"});
  EXPECT_EQ(t.row(),
            "90s | Normal | Scheduled | pod/web |  | default-scheduler, "
            "default-scheduler-node-1 | Successfully assigned default/web to node-1 | 90s | 1 | "
            "ev1");
}

TEST(CoreTable, NamespacesConfigMapsSecretsServiceAccounts) {
  Table ns("", "namespaces", {R"({"metadata":{"name":"kube-system","creationTimestamp":
                                   "AGO[30]"},"status":{"phase":"Terminating"}})",
                               R"({"metadata":{"name":"new","creationTimestamp":"AGO[30]"}})"});
  EXPECT_EQ(ns.row(0), "kube-system | Terminating | 30s");
  EXPECT_EQ(ns.text("Status", 1), "Active");
  Table cm("", "configmaps", {R"({"metadata":{"name":"kube-root-ca.crt","creationTimestamp":
                                   "AGO[30]"},"data":{"ca.crt":"x","b":"y"},
                                   "binaryData":{"c":"AA=="}})"});
  EXPECT_EQ(cm.headers(), "Name | Data | Age");
  EXPECT_EQ(cm.cell("Data"), json::value(3));
  Table secret("", "secrets", {R"({"metadata":{"name":"tls","creationTimestamp":"AGO[30]"},
                                   "type":"kubernetes.io/tls","data":{"tls.crt":"","tls.key":""}})",
                               R"({"metadata":{"name":"plain","creationTimestamp":"AGO[30]"}})"});
  EXPECT_EQ(secret.row(0), "tls | kubernetes.io/tls | 2 | 30s");
  EXPECT_EQ(secret.row(1), "plain | Opaque | 0 | 30s");
  Table sa("", "serviceaccounts", {R"({"metadata":{"name":"default","creationTimestamp":
                                        "AGO[30]"},"secrets":[{"name":"tok"}]})"});
  EXPECT_EQ(sa.headers(), "Name | Secrets | Age");
  EXPECT_EQ(sa.row(), "default | 1 | 30s");
}

TEST(CoreTable, ReplicationControllers) {
  Table t("", "replicationcontrollers",
          {R"({"metadata":{"name":"nginx","creationTimestamp":"AGO[30]"},
              "spec":{"replicas":3,"selector":{"app":"nginx"},"template":{"spec":{"containers":[
                {"name":"nginx","image":"nginx:1.27"},{"name":"log","image":"busybox"}]}}},
              "status":{"replicas":3,"readyReplicas":2}})"});
  EXPECT_EQ(t.headers(),
            "Name | Desired | Current | Ready | Age | Containers* | Images* | Selector*");
  EXPECT_EQ(t.row(), "nginx | 3 | 3 | 2 | 30s | nginx,log | nginx:1.27,busybox | app=nginx");
}

TEST(CoreTable, ResourceQuotas) {
  Table t("", "resourcequotas",
          {R"({"metadata":{"name":"compute","creationTimestamp":"AGO[30]"},
              "status":{"hard":{"requests.cpu":"1000m","requests.memory":"1Gi","pods":"10",
                                "limits.cpu":"2","limits.memory":"2048Mi"},
                        "used":{"requests.cpu":"500m","pods":"3","limits.memory":"512Mi"}}})"});
  EXPECT_EQ(t.headers(), "Name | Request | Limit | Age");
  EXPECT_EQ(t.row(),
            "compute | pods: 3/10, requests.cpu: 500m/1, requests.memory: 0/1Gi | "
            "limits.cpu: 0/2, limits.memory: 512Mi/2Gi | 30s");
}

TEST(VolumeTable, PersistentVolumes) {
  Table t("", "persistentvolumes",
          {R"({"metadata":{"name":"pv-1","creationTimestamp":"AGO[30]"},
              "spec":{"capacity":{"storage":"10240Mi"},
                "accessModes":["ReadWriteMany","ReadWriteOnce","ReadWriteOnce"],
                "persistentVolumeReclaimPolicy":"Delete","storageClassName":"local-path",
                "claimRef":{"namespace":"default","name":"data"},"volumeMode":"Block"},
              "status":{"phase":"Bound"}})",
           R"({"metadata":{"name":"pv-2","creationTimestamp":"AGO[30]","deletionTimestamp":
                "AGO[1]","annotations":{"volume.beta.kubernetes.io/storage-class":"old"}},
              "spec":{"capacity":{"storage":"1Gi"},"volumeAttributesClassName":"gold"},
              "status":{"phase":"Released","reason":"Oops"}})"});
  EXPECT_EQ(t.headers(),
            "Name | Capacity | Access Modes | Reclaim Policy | Status | Claim | StorageClass | "
            "VolumeAttributesClass | Reason | Age | VolumeMode*");
  EXPECT_EQ(t.row(0),
            "pv-1 | 10Gi | RWO,RWX | Delete | Bound | default/data | local-path | <unset> |  | "
            "30s | Block");
  EXPECT_EQ(t.row(1),
            "pv-2 | 1Gi |  | Retain | Terminating |  | old | gold | Oops | 30s | Filesystem");
}

TEST(VolumeTable, PersistentVolumeClaims) {
  Table t("", "persistentvolumeclaims",
          {R"({"metadata":{"name":"data","creationTimestamp":"AGO[30]"},
              "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"5Gi"}},
                "storageClassName":"local-path","volumeName":"pvc-1234","volumeMode":"Filesystem"},
              "status":{"phase":"Bound","accessModes":["ReadWriteOncePod","ReadWriteOnce"],
                "capacity":{"storage":"5Gi"}}})",
           R"({"metadata":{"name":"pending","creationTimestamp":"AGO[30]"},
              "spec":{"resources":{"requests":{"storage":"1Gi"}}}})"});
  EXPECT_EQ(t.headers(),
            "Name | Status | Volume | Capacity | Access Modes | StorageClass | "
            "VolumeAttributesClass | Age | VolumeMode*");
  EXPECT_EQ(t.row(0),
            "data | Bound | pvc-1234 | 5Gi | RWO,RWOP | local-path | <unset> | 30s | Filesystem");
  EXPECT_EQ(t.row(1), "pending | Pending |  |  |  |  | <unset> | 30s | Filesystem");
}

}  // namespace
}  // namespace kcpp::apiserver
