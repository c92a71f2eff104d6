#include "admission_plugins.h"

#include <algorithm>

#include "apiserver/admission/defaultingressclass/default_ingress_class.h"
#include "apiserver/admission/defaultstorageclass/default_storage_class.h"
#include "apiserver/admission/defaulttolerationseconds/default_toleration_seconds.h"
#include "apiserver/admission/limitranger/limit_ranger.h"
#include "apiserver/admission/namespacelifecycle/namespace_lifecycle.h"
#include "apiserver/admission/noderestriction/node_restriction.h"
#include "apiserver/admission/podsecurity/pod_security.h"
#include "apiserver/admission/priority/priority.h"
#include "apiserver/admission/serviceaccount/service_account.h"
#include "apiserver/admission/resourcequota/resource_quota_admission.h"

namespace kcpp::cmd {

namespace admission = apiserver::admission;

namespace {

struct PluginEntry {
  const char* name;
  bool enabledByDefault;
  std::function<admission::PluginPtr(const AdmissionDeps&)> make;
};

apiserver::Registry& required(const AdmissionDeps& deps, const char* group, const char* resource) {
  apiserver::Registry* r = deps.registry(group, resource);
  KCPP_CHECK(r != nullptr, "an admission plugin needs a built-in resource");
  return *r;
}

// Upstream's order (kube-apiserver's AllOrderedPlugins) for the plugins kcpp has.
const std::vector<PluginEntry>& pluginTable() {
  static const std::vector<PluginEntry> table = {
      {"NamespaceLifecycle", true,
       [](const AdmissionDeps& d) {
         return std::make_unique<admission::NamespaceLifecycle>(required(d, "", "namespaces"));
       }},
      {"LimitRanger", true,
       [](const AdmissionDeps& d) {
         return std::make_unique<admission::LimitRanger>(required(d, "", "limitranges"));
       }},
      {"ServiceAccount", true,
       [](const AdmissionDeps& d) {
         return std::make_unique<admission::ServiceAccountAdmission>(
             required(d, "", "serviceaccounts"));
       }},
      // Upstream: after LimitRanger and ServiceAccount, before TaintNodesByCondition.
      // Off by default upstream; on by default in kcpp, as k3s enables it.
      {"NodeRestriction", true,
       [](const AdmissionDeps& d) {
         return std::make_unique<admission::NodeRestriction>(required(d, "", "pods"),
                                                             required(d, "", "nodes"));
       }},
      {"PodSecurity", true,
       [](const AdmissionDeps& d) {
         return std::make_unique<admission::PodSecurity>(required(d, "", "namespaces"),
                                                         required(d, "", "pods"));
       }},
      {"Priority", true,
       [](const AdmissionDeps& d) {
         return std::make_unique<admission::Priority>(
             required(d, "scheduling.k8s.io", "priorityclasses"));
       }},
      {"DefaultTolerationSeconds", true,
       [](const AdmissionDeps&) { return std::make_unique<admission::DefaultTolerationSeconds>(); }},
      {"DefaultStorageClass", true,
       [](const AdmissionDeps& d) {
         return std::make_unique<admission::DefaultStorageClass>(
             required(d, "storage.k8s.io", "storageclasses"));
       }},
      {"DefaultIngressClass", true,
       [](const AdmissionDeps& d) {
         return std::make_unique<admission::DefaultIngressClass>(
             required(d, "networking.k8s.io", "ingressclasses"));
       }},
      // Last, as upstream: it charges quota only for writes every other plugin let through.
      {"ResourceQuota", true,
       [](const AdmissionDeps& d) {
         return std::make_unique<admission::ResourceQuotaAdmission>(required(d, "", "resourcequotas"));
       }},
  };
  return table;
}

// Upstream plugins kcpp does not have, which --disable-admission-plugins may
// still name (disabling what is absent is harmless); enabling one is an error.
bool isUpstreamOnly(const std::string& name) {
  static const char* const names[] = {
      "AlwaysAdmit", "AlwaysDeny", "AlwaysPullImages", "CertificateApproval",
      "CertificateSigning", "CertificateSubjectRestriction", "ClusterTrustBundleAttest",
      "DenyServiceExternalIPs", "EventRateLimit", "ExtendedResourceToleration",
      "ImagePolicyWebhook", "LimitPodHardAntiAffinityTopology", "MutatingAdmissionPolicy",
      "MutatingAdmissionWebhook", "NamespaceAutoProvision", "NamespaceExists",
      "OwnerReferencesPermissionEnforcement", "PersistentVolumeClaimResize",
      "PersistentVolumeLabel", "PodNodeSelector", "PodTolerationRestriction",
      "PodTopologyLabels", "RuntimeClass", "StorageObjectInUseProtection",
      "TaintNodesByCondition", "ValidatingAdmissionPolicy", "ValidatingAdmissionWebhook"};
  return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

const PluginEntry* findEntry(const std::string& name) {
  for (const PluginEntry& e : pluginTable()) {
    if (name == e.name) return &e;
  }
  return nullptr;
}

bool contains(const std::vector<std::string>& names, const char* name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

Result<std::vector<admission::PluginPtr>> buildAdmissionPlugins(const AdmissionFlags& flags,
                                                                 const AdmissionDeps& deps) {
  for (const std::string& name : flags.enable) {
    if (findEntry(name)) continue;
    if (isUpstreamOnly(name)) {
      return makeError(Reason::BadRequest,
                       "enable-admission-plugins plugin \"" + name + "\" is not supported by kcpp");
    }
    return makeError(Reason::BadRequest, "enable-admission-plugins plugin \"" + name + "\" is unknown");
  }
  for (const std::string& name : flags.disable) {
    if (!findEntry(name) && !isUpstreamOnly(name)) {
      return makeError(Reason::BadRequest,
                       "disable-admission-plugins plugin \"" + name + "\" is unknown");
    }
    if (contains(flags.enable, name.c_str())) {
      return makeError(Reason::BadRequest, "[" + name +
                                               "] in enable-admission-plugins and "
                                               "disable-admission-plugins overlapped");
    }
  }
  std::vector<admission::PluginPtr> plugins;
  for (const PluginEntry& e : pluginTable()) {
    bool on = (e.enabledByDefault || contains(flags.enable, e.name)) &&
              !contains(flags.disable, e.name);
    if (on) plugins.push_back(e.make(deps));
  }
  return plugins;
}

}  // namespace kcpp::cmd
