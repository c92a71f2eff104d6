// Columns of the remaining groups: rbac bindings, storage classes, priority
// classes, pod disruption budgets and leases. Roles and cluster roles have no
// printer upstream: they get the default Name / Created At table.

#include "api/meta/object.h"
#include "apiserver/handlers/table.h"
#include "apiserver/handlers/table_columns.h"

namespace kcpp::apiserver::table {

namespace {

// --- rbac -----------------------------------------------------------------------------

// rbac.SubjectsStrings: users, groups and "namespace/name" service accounts.
std::string subjects(const json::object& binding, std::string_view kind) {
  std::vector<std::string> out;
  for (const json::value& v : arr(binding, "subjects")) {
    const json::object& s = asObject(v);
    if (str(s, "kind") != kind) continue;
    bool sa = kind == "ServiceAccount";
    out.push_back(sa ? str(s, "namespace") + "/" + str(s, "name") : str(s, "name"));
  }
  return join(out, ", ");
}

Printer bindingPrinter(std::string roleRefDescription, const std::string& what) {
  auto subjectColumn = [&what](std::string name, std::string kind) {
    return textColumn(name, name + " in the " + what,
                      [kind](const json::object& o) { return subjects(o, kind); }, 1);
  };
  return {{nameColumn(),
           textColumn("Role", std::move(roleRefDescription),
                      [](const json::object& o) {
                        return str(o, "roleRef.kind") + "/" + str(o, "roleRef.name");
                      }),
           ageColumn(), subjectColumn("Users", "User"), subjectColumn("Groups", "Group"),
           subjectColumn("ServiceAccounts", "ServiceAccount")},
          nullptr};
}

// --- storage, scheduling, policy, coordination --------------------------------------------

bool isDefaultClass(const json::object& sc) {
  const json::object& annotations = obj(sc, "metadata.annotations");
  for (const char* key : {"storageclass.kubernetes.io/is-default-class",
                          "storageclass.beta.kubernetes.io/is-default-class"}) {
    const json::value* v = annotations.if_contains(key);
    if (v && v->is_string() && v->get_string() == "true") return true;
  }
  return false;
}

Printer storageClassPrinter() {
  Column name = nameColumn();
  name.cell = [](const json::object& o) {
    std::string n = str(o, "metadata.name");
    return json::value(isDefaultClass(o) ? n + " (default)" : n);
  };
  return {{std::move(name),
           textColumn("Provisioner", "provisioner indicates the type of the provisioner.",
                      [](const json::object& o) { return str(o, "provisioner"); }),
           textColumn("ReclaimPolicy",
                      "reclaimPolicy controls the reclaimPolicy for dynamically provisioned "
                      "PersistentVolumes of this storage class. Defaults to Delete.",
                      [](const json::object& o) { return strOr(o, "reclaimPolicy", "Delete"); }),
           textColumn("VolumeBindingMode",
                      "volumeBindingMode indicates how PersistentVolumeClaims should be "
                      "provisioned and bound.  When unset, VolumeBindingImmediate is used. This "
                      "field is only honored by servers that enable the VolumeScheduling "
                      "feature.",
                      [](const json::object& o) {
                        return strOr(o, "volumeBindingMode", "Immediate");
                      }),
           boolColumn("AllowVolumeExpansion", "string",
                      "allowVolumeExpansion shows whether the storage class allow volume expand.",
                      [](const json::object& o) { return flag(o, "allowVolumeExpansion"); }),
           ageColumn()},
          nullptr};
}

Printer priorityClassPrinter() {
  return {{nameColumn(),
           intColumn("Value", "integer",
                     "value represents the integer value of this priority class. This is the "
                     "actual priority that pods receive when they have the name of this class in "
                     "their pod spec.",
                     [](const json::object& o) { return num(o, "value"); }),
           boolColumn("Global-Default", "boolean",
                      "globalDefault specifies whether this PriorityClass should be considered "
                      "as the default priority for pods that do not have any priority class. "
                      "Only one PriorityClass can be marked as `globalDefault`. However, if more "
                      "than one PriorityClasses exists with their `globalDefault` field set to "
                      "true, the smallest value of such global default PriorityClasses will be "
                      "used as the default priority.",
                      [](const json::object& o) { return flag(o, "globalDefault"); }),
           ageColumn(),
           // Upstream declares it priority 0 and fills it only when wide, which the
           // apiserver always is.
           textColumn("PreemptionPolicy",
                      "preemptionPolicy is the Policy for preempting pods with lower priority. "
                      "One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if "
                      "unset.",
                      [](const json::object& o) {
                        return strOr(o, "preemptionPolicy", "PreemptLowerPriority");
                      })},
          nullptr};
}

// An IntOrString as text ("N/A" when absent).
TextFn intOrString(std::string path) {
  return [path = std::move(path)](const json::object& o) {
    const json::value* v = api::findPath(o, path);
    if (v && v->is_string()) return std::string(v->get_string());
    if (v && v->is_number()) return std::to_string(num(o, path));
    return std::string("N/A");
  };
}

Printer podDisruptionBudgetPrinter() {
  return {{nameColumn(),
           textColumn("Min Available", "The minimum number of pods that must be available.",
                      intOrString("spec.minAvailable")),
           textColumn("Max Unavailable", "The maximum number of pods that may be unavailable.",
                      intOrString("spec.maxUnavailable")),
           intColumn("Allowed Disruptions", "integer",
                     "Calculated number of pods that may be disrupted at this time.",
                     [](const json::object& o) { return num(o, "status.disruptionsAllowed"); }),
           ageColumn()},
          nullptr};
}

Printer leasePrinter() {
  return {{nameColumn(),
           textColumn("Holder",
                      "holderIdentity contains the identity of the holder of a current lease. If "
                      "Coordinated Leader Election is used, the holder identity must be equal to "
                      "the elected LeaseCandidate.metadata.name field.",
                      [](const json::object& o) { return str(o, "spec.holderIdentity"); }),
           ageColumn()},
          nullptr};
}

// Upstream's printCertificateSigningRequest: the condition types, "Issued"
// once a certificate is there, "Pending" while neither.
std::string csrCondition(const json::object& o) {
  std::string out;
  if (const json::value* conds = api::findPath(o, "status.conditions"); conds && conds->is_array()) {
    for (const json::value& c : conds->get_array()) {
      if (!c.is_object()) continue;
      std::string type(api::getString(c.get_object(), "type"));
      if (type != "Approved" && type != "Denied" && type != "Failed") continue;
      out += (out.empty() ? "" : ",") + type;
    }
  }
  if (!str(o, "status.certificate").empty()) out += (out.empty() ? "" : ",") + std::string("Issued");
  return out.empty() ? "Pending" : out;
}

Printer csrPrinter() {
  return {{nameColumn(), ageColumn(),
           textColumn("SignerName", "Name of the signer", [](const json::object& o) { return str(o, "spec.signerName"); }),
           textColumn("Requestor", "Name of the requestor",
                      [](const json::object& o) { return str(o, "spec.username"); }),
           textColumn("RequestedDuration", "Requested duration of the certificate",
                      [](const json::object& o) -> std::string {
                        const json::value* s = api::findPath(o, "spec.expirationSeconds");
                        if (!s || !s->is_int64()) return "<none>";
                        return apiserver::humanDuration(std::chrono::seconds(s->get_int64()));
                      }),
           textColumn("Condition", "Condition of the request", csrCondition)},
          nullptr};
}

}  // namespace

void addClusterPrinters(PrinterMap& printers) {
  printers["certificates.k8s.io/certificatesigningrequests"] = csrPrinter();
  const std::string rbac = "rbac.authorization.k8s.io/";
  printers[rbac + "rolebindings"] = bindingPrinter(
      "RoleRef can reference a Role in the current namespace or a ClusterRole in the global "
      "namespace. If the RoleRef cannot be resolved, the Authorizer must return an error.",
      "roleBinding");
  printers[rbac + "clusterrolebindings"] = bindingPrinter(
      "RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot "
      "be resolved, the Authorizer must return an error.",
      "clusterRoleBinding");
  printers["storage.k8s.io/storageclasses"] = storageClassPrinter();
  printers["scheduling.k8s.io/priorityclasses"] = priorityClassPrinter();
  printers["policy/poddisruptionbudgets"] = podDisruptionBudgetPrinter();
  printers["coordination.k8s.io/leases"] = leasePrinter();
}

}  // namespace kcpp::apiserver::table
