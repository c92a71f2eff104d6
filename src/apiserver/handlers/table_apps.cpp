// apps/v1 columns: deployments, replicasets, daemonsets, statefulsets and
// controllerrevisions (upstream's printDeployment, printReplicaSet, ...).

#include "apiserver/handlers/table_columns.h"

namespace kcpp::apiserver::table {

namespace {

IntFn field(std::string path, std::int64_t fallback = 0) {
  return [path = std::move(path), fallback](const json::object& o) {
    return num(o, path, fallback);
  };
}

// "ready/desired"; spec.replicas defaults to 1.
std::string readyOfDesired(const json::object& o) {
  return std::to_string(num(o, "status.readyReplicas")) + "/" +
         std::to_string(num(o, "spec.replicas", 1));
}

Printer deploymentPrinter() {
  std::vector<Column> columns{
      nameColumn(),
      textColumn("Ready", "Number of the pod with ready state", readyOfDesired),
      intColumn("Up-to-date", "string",
                "Total number of non-terminating pods targeted by this deployment that have the "
                "desired template spec.",
                field("status.updatedReplicas")),
      intColumn("Available", "string",
                "Total number of available non-terminating pods (ready for at least "
                "minReadySeconds) targeted by this deployment.",
                field("status.availableReplicas")),
      ageColumn()};
  addTemplateColumns(columns, "spec.template.spec.containers");
  columns.push_back(textColumn(
      "Selector",
      "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be "
      "the ones affected by this deployment.",
      [](const json::object& o) { return selectorString(o, "spec.selector"); }, 1));
  return {std::move(columns), nullptr};
}

Printer replicaSetPrinter() {
  std::vector<Column> columns{
      nameColumn(),
      intColumn("Desired", "integer",
                "Replicas is the number of desired pods. This is a pointer to distinguish "
                "between explicit zero and unspecified. Defaults to 1. More info: "
                "https://kubernetes.io/docs/concepts/workloads/controllers/replicaset",
                field("spec.replicas", 1)),
      intColumn("Current", "integer",
                "Replicas is the most recently observed number of non-terminating pods. More "
                "info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset",
                field("status.replicas")),
      intColumn("Ready", "integer",
                "The number of non-terminating pods targeted by this ReplicaSet with a Ready "
                "Condition.",
                field("status.readyReplicas")),
      ageColumn()};
  addTemplateColumns(columns, "spec.template.spec.containers");
  columns.push_back(textColumn(
      "Selector",
      "Selector is a label query over pods that should match the replica count. If the "
      "selector is empty, it is defaulted to the labels present on the pod template. Label keys "
      "and values that must match in order to be controlled by this replica set. More info: "
      "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/"
      "#label-selectors",
      [](const json::object& o) { return formatSelector(o, "spec.selector"); }, 1));
  return {std::move(columns), nullptr};
}

Printer daemonSetPrinter() {
  std::vector<Column> columns{
      nameColumn(),
      intColumn("Desired", "integer",
                "The total number of nodes that should be running the daemon pod (including "
                "nodes correctly running the daemon pod). More info: "
                "https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/",
                field("status.desiredNumberScheduled")),
      intColumn("Current", "integer",
                "The number of nodes that are running at least 1 daemon pod and are supposed to "
                "run the daemon pod. More info: "
                "https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/",
                field("status.currentNumberScheduled")),
      intColumn("Ready", "integer",
                "The number of nodes that should be running the daemon pod and have one or more "
                "of the daemon pod running and ready.",
                field("status.numberReady")),
      intColumn("Up-to-date", "integer",
                "The total number of nodes that are running updated daemon pod",
                field("status.updatedNumberScheduled")),
      intColumn("Available", "integer",
                "The number of nodes that should be running the daemon pod and have one or more "
                "of the daemon pod running and available (ready for at least "
                "spec.minReadySeconds)",
                field("status.numberAvailable")),
      textColumn("Node Selector",
                 "NodeSelector is a selector which must be true for the pod to fit on a node. "
                 "Selector which must match a node's labels for the pod to be scheduled on that "
                 "node. More info: "
                 "https://kubernetes.io/docs/concepts/configuration/assign-pod-node/",
                 [](const json::object& o) {
                   return formatLabels(obj(o, "spec.template.spec.nodeSelector"));
                 }),
      ageColumn()};
  addTemplateColumns(columns, "spec.template.spec.containers");
  columns.push_back(textColumn(
      "Selector",
      "A label query over pods that are managed by the daemon set. Must match in order to be "
      "controlled. If empty, defaulted to labels on Pod template. More info: "
      "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/"
      "#label-selectors",
      [](const json::object& o) { return formatSelector(o, "spec.selector"); }, 1));
  return {std::move(columns), nullptr};
}

Printer statefulSetPrinter() {
  std::vector<Column> columns{
      nameColumn(), textColumn("Ready", "Number of the pod with ready state", readyOfDesired),
      ageColumn()};
  addTemplateColumns(columns, "spec.template.spec.containers");
  return {std::move(columns), nullptr};
}

// The controlling owner as "kind.group/name" in lower case ("statefulset.apps/web").
std::string controllerOf(const json::object& o) {
  for (const json::value& v : arr(o, "metadata.ownerReferences")) {
    const json::object& ref = asObject(v);
    if (!flag(ref, "controller")) continue;
    std::string apiVersion = str(ref, "apiVersion");
    auto slash = apiVersion.find('/');
    std::string group = slash == std::string::npos ? "" : apiVersion.substr(0, slash);
    std::string kind = str(ref, "kind");
    if (group.empty() && kind.empty()) return str(ref, "name");
    std::string groupKind = group.empty() ? kind : kind + "." + group;
    return lower(groupKind) + "/" + str(ref, "name");
  }
  return "<none>";
}

Printer controllerRevisionPrinter() {
  return {{nameColumn(), textColumn("Controller", "Controller of the object", controllerOf),
           intColumn("Revision", "string",
                     "revision indicates the revision of the state represented by Data.",
                     field("revision")),
           ageColumn()},
          nullptr};
}

}  // namespace

void addAppsPrinters(PrinterMap& printers) {
  printers["apps/deployments"] = deploymentPrinter();
  printers["apps/replicasets"] = replicaSetPrinter();
  printers["apps/daemonsets"] = daemonSetPrinter();
  printers["apps/statefulsets"] = statefulSetPrinter();
  printers["apps/controllerrevisions"] = controllerRevisionPrinter();
}

}  // namespace kcpp::apiserver::table
