// The built-in resources kcpp serves, with upstream v1.33's discovery facts
// (short names, categories, verbs, subresources) and selectable fields.
#include "api/schema/resource_type.h"

#include <cctype>
#include <tuple>

namespace kcpp::api {

namespace {

const std::vector<std::string> kAllVerbs = {"create", "delete", "deletecollection", "get",
                                            "list",   "patch",  "update",           "watch"};

struct Builder {
  ResourceType t;
  Builder(std::string group, std::string version, std::string resource, std::string kind) {
    t.group = std::move(group);
    t.version = std::move(version);
    t.storageSegment = resource;
    t.resource = std::move(resource);
    t.kind = std::move(kind);
    t.singular = t.kind;
    for (char& c : t.singular) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    t.verbs = kAllVerbs;
  }
  Builder& clusterScoped() { t.namespaced = false; return *this; }
  Builder& shortNames(std::vector<std::string> v) { t.shortNames = std::move(v); return *this; }
  Builder& inAll() { t.categories = {"all"}; return *this; }
  Builder& status() { t.hasStatus = true; return *this; }
  Builder& scale() { t.hasScale = true; return *this; }
  Builder& generation() { t.tracksGeneration = true; return *this; }
  Builder& returnsObject() { t.returnsDeletedObject = true; return *this; }
  Builder& names(NameRule rule) { t.nameRule = rule; return *this; }
  Builder& verbs(std::vector<std::string> v) { t.verbs = std::move(v); return *this; }
  Builder& storage(std::string segment) { t.storageSegment = std::move(segment); return *this; }
  Builder& fields(std::vector<std::pair<std::string, std::string>> f) {
    t.selectableFields = std::move(f);
    return *this;
  }
  // Fields whose selector name is also their JSON path.
  Builder& pathFields(const std::vector<std::string>& paths) {
    for (const auto& p : paths) t.selectableFields.emplace_back(p, p);
    return *this;
  }
};

std::vector<ResourceType> coreResources() {
  std::vector<ResourceType> out;
  auto add = [&](Builder& b) { out.push_back(std::move(b.t)); };
  Builder b("", "v1", "namespaces", "Namespace");
  b.clusterScoped().shortNames({"ns"}).status().returnsObject().names(NameRule::Dns1123Label)
      .verbs({"create", "delete", "get", "list", "patch", "update", "watch"})
      .pathFields({"status.phase"});
  add(b);
  Builder pods("", "v1", "pods", "Pod");
  pods.shortNames({"po"}).inAll().status().returnsObject().pathFields(
      {"spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
       "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"});
  add(pods);
  Builder svc("", "v1", "services", "Service");
  svc.shortNames({"svc"}).inAll().status().returnsObject().names(NameRule::Dns1035Label)
      .storage("services/specs").pathFields({"spec.clusterIP", "spec.type"});
  add(svc);
  Builder cm("", "v1", "configmaps", "ConfigMap");
  cm.shortNames({"cm"});
  add(cm);
  Builder secrets("", "v1", "secrets", "Secret");
  secrets.pathFields({"type"});
  add(secrets);
  Builder nodes("", "v1", "nodes", "Node");
  nodes.clusterScoped().shortNames({"no"}).status().pathFields({"spec.unschedulable"})
      .storage("minions");
  add(nodes);
  Builder events("", "v1", "events", "Event");
  events.shortNames({"ev"}).fields({{"involvedObject.kind", "involvedObject.kind"},
                                    {"involvedObject.namespace", "involvedObject.namespace"},
                                    {"involvedObject.name", "involvedObject.name"},
                                    {"involvedObject.uid", "involvedObject.uid"},
                                    {"involvedObject.apiVersion", "involvedObject.apiVersion"},
                                    {"involvedObject.resourceVersion",
                                     "involvedObject.resourceVersion"},
                                    {"involvedObject.fieldPath", "involvedObject.fieldPath"},
                                    {"reason", "reason"},
                                    {"reportingComponent", "reportingComponent"},
                                    {"source", "source.component"},
                                    {"type", "type"}});
  add(events);
  Builder sa("", "v1", "serviceaccounts", "ServiceAccount");
  sa.shortNames({"sa"});
  add(sa);
  Builder ep("", "v1", "endpoints", "Endpoints");
  ep.shortNames({"ep"}).storage("services/endpoints");
  add(ep);
  Builder quota("", "v1", "resourcequotas", "ResourceQuota");
  quota.shortNames({"quota"}).status();
  add(quota);
  Builder limits("", "v1", "limitranges", "LimitRange");
  limits.shortNames({"limits"});
  add(limits);
  Builder pv("", "v1", "persistentvolumes", "PersistentVolume");
  pv.clusterScoped().shortNames({"pv"}).status();
  add(pv);
  Builder pvc("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim");
  pvc.shortNames({"pvc"}).status();
  add(pvc);
  Builder rc("", "v1", "replicationcontrollers", "ReplicationController");
  rc.shortNames({"rc"}).inAll().status().scale().generation().storage("controllers")
      .pathFields({"status.replicas"});
  add(rc);
  return out;
}

std::vector<ResourceType> groupResources() {
  std::vector<ResourceType> out;
  auto add = [&](Builder& b) { out.push_back(std::move(b.t)); };
  Builder deploy("apps", "v1", "deployments", "Deployment");
  deploy.shortNames({"deploy"}).inAll().status().scale().generation();
  add(deploy);
  Builder rs("apps", "v1", "replicasets", "ReplicaSet");
  rs.shortNames({"rs"}).inAll().status().scale().generation().pathFields({"status.replicas"});
  add(rs);
  Builder ds("apps", "v1", "daemonsets", "DaemonSet");
  ds.shortNames({"ds"}).inAll().status().generation();
  add(ds);
  Builder sts("apps", "v1", "statefulsets", "StatefulSet");
  sts.shortNames({"sts"}).inAll().status().scale().generation();
  add(sts);
  Builder cr("apps", "v1", "controllerrevisions", "ControllerRevision");
  add(cr);
  Builder jobs("batch", "v1", "jobs", "Job");
  jobs.inAll().status().generation().pathFields({"status.successful"});
  add(jobs);
  Builder cj("batch", "v1", "cronjobs", "CronJob");
  cj.shortNames({"cj"}).inAll().status().generation();
  add(cj);
  Builder ing("networking.k8s.io", "v1", "ingresses", "Ingress");
  ing.shortNames({"ing"}).status().generation();
  add(ing);
  Builder ingc("networking.k8s.io", "v1", "ingressclasses", "IngressClass");
  ingc.clusterScoped();
  add(ingc);
  Builder netpol("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy");
  netpol.shortNames({"netpol"}).generation();
  add(netpol);
  Builder lease("coordination.k8s.io", "v1", "leases", "Lease");
  add(lease);
  Builder eps("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice");
  add(eps);
  Builder ev("events.k8s.io", "v1", "events", "Event");
  ev.shortNames({"ev"});  // stored with core/v1 Events, converted (registry/events)
  add(ev);
  using Rbac = std::tuple<const char*, const char*, bool>;
  for (auto [res, kind, ns] : {Rbac{"roles", "Role", true},
                               Rbac{"rolebindings", "RoleBinding", true},
                               Rbac{"clusterroles", "ClusterRole", false},
                               Rbac{"clusterrolebindings", "ClusterRoleBinding", false}}) {
    Builder rbac("rbac.authorization.k8s.io", "v1", res, kind);
    rbac.names(NameRule::PathSegment);
    if (!ns) rbac.clusterScoped();
    add(rbac);
  }
  Builder sc("storage.k8s.io", "v1", "storageclasses", "StorageClass");
  sc.clusterScoped().shortNames({"sc"});
  add(sc);
  Builder pc("scheduling.k8s.io", "v1", "priorityclasses", "PriorityClass");
  pc.clusterScoped().shortNames({"pc"});
  add(pc);
  Builder csr("certificates.k8s.io", "v1", "certificatesigningrequests", "CertificateSigningRequest");
  csr.clusterScoped().shortNames({"csr"}).status();  // and /approval (api_handler)
  add(csr);
  Builder pdb("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget");
  pdb.shortNames({"pdb"}).status().generation();
  add(pdb);
  return out;
}

}  // namespace

std::vector<ResourceType> builtinResources() {
  std::vector<ResourceType> out = coreResources();
  for (auto& t : groupResources()) out.push_back(std::move(t));
  return out;
}

}  // namespace kcpp::api
