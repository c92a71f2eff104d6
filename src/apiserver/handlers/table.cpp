#include "apiserver/handlers/table.h"

#include <functional>

#include "api/meta/object.h"

namespace kcpp::apiserver {

namespace json = boost::json;

namespace {

struct Column {
  std::string name;
  std::string type;  // string, integer, date
  std::string format;
  std::string description;
  int priority = 0;  // 1: only with -o wide
  std::function<json::value(const json::object&)> cell;
};

std::string age(const json::object& obj) {
  const json::value* ts = api::findPath(obj, "metadata.creationTimestamp");
  if (!ts || !ts->is_string()) return "<unknown>";
  auto t = api::parseTime(ts->get_string());
  if (!t) return "<unknown>";
  auto d = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() - *t);
  return humanDuration(d);
}

std::int64_t countOf(const json::object& obj, std::string_view field) {
  auto it = obj.find(field);
  if (it == obj.end() || !it->value().is_object()) return 0;
  return static_cast<std::int64_t>(it->value().get_object().size());
}

Column nameColumn() {
  return {"Name", "string", "name",
          "Name must be unique within a namespace. Is required when creating resources, although "
          "some resources may allow a client to request the generation of an appropriate name "
          "automatically. Name is primarily intended for creation idempotence and configuration "
          "definition. Cannot be updated. More info: "
          "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
          0, [](const json::object& o) { return json::value(json::string(api::metaName(o))); }};
}

Column ageColumn() {
  return {"Age", "string", "",
          "CreationTimestamp is a timestamp representing the server time when this object was "
          "created.",
          0, [](const json::object& o) { return json::value(json::string(age(o))); }};
}

Column pathColumn(std::string name, std::string path, std::string description) {
  return {std::move(name), "string", "", std::move(description), 0,
          [path](const json::object& o) -> json::value {
            const json::value* v = api::findPath(o, path);
            if (v && v->is_string()) return *v;
            return json::string("");
          }};
}

std::string stringAt(const json::object& o, std::string_view path, const char* fallback) {
  const json::value* v = api::findPath(o, path);
  if (v && v->is_string() && !v->get_string().empty()) return std::string(v->get_string());
  return fallback;
}

const json::array* arrayAt(const json::object& o, std::string_view path) {
  const json::value* v = api::findPath(o, path);
  return v && v->is_array() ? &v->get_array() : nullptr;
}

// upstream's printPod: the phase, overridden by the most telling container state.
std::string podStatus(const json::object& pod) {
  std::string reason = stringAt(pod, "status.reason", "");
  if (reason.empty()) reason = stringAt(pod, "status.phase", "");
  if (const json::array* statuses = arrayAt(pod, "status.containerStatuses")) {
    for (const auto& cs : *statuses) {
      if (!cs.is_object()) continue;
      const json::object& c = cs.get_object();
      std::string waiting = stringAt(c, "state.waiting.reason", "");
      std::string terminated = stringAt(c, "state.terminated.reason", "");
      if (!waiting.empty()) reason = waiting;
      else if (!terminated.empty()) reason = terminated;
      else if (const json::value* code = api::findPath(c, "state.terminated.exitCode");
               code && code->is_int64()) {
        reason = "ExitCode:" + std::to_string(code->get_int64());
      }
    }
  }
  if (api::findPath(pod, "metadata.deletionTimestamp") && reason != "NodeLost") {
    reason = "Terminating";
  }
  return reason;
}

std::string podReady(const json::object& pod) {
  const json::array* containers = arrayAt(pod, "spec.containers");
  std::size_t total = containers ? containers->size() : 0, ready = 0;
  if (const json::array* statuses = arrayAt(pod, "status.containerStatuses")) {
    for (const auto& cs : *statuses) {
      const json::value* r = cs.is_object() ? api::findPath(cs.get_object(), "ready") : nullptr;
      if (r && r->is_bool() && r->get_bool()) ++ready;
    }
  }
  return std::to_string(ready) + "/" + std::to_string(total);
}

std::string podRestarts(const json::object& pod) {
  std::int64_t restarts = 0;
  if (const json::array* statuses = arrayAt(pod, "status.containerStatuses")) {
    for (const auto& cs : *statuses) {
      const json::value* n =
          cs.is_object() ? api::findPath(cs.get_object(), "restartCount") : nullptr;
      if (n && n->is_int64()) restarts += n->get_int64();
    }
  }
  return std::to_string(restarts);
}

Column textColumn(std::string name, std::string description, int priority,
                  std::function<std::string(const json::object&)> text) {
  return {std::move(name), "string", "", std::move(description), priority,
          [text = std::move(text)](const json::object& o) {
            return json::value(json::string(text(o)));
          }};
}

std::vector<Column> podColumns() {
  return {nameColumn(),
          textColumn("Ready", "The aggregate readiness state of this pod for accepting traffic.",
                     0, podReady),
          textColumn("Status", "The aggregate status of the containers in this pod.", 0,
                     podStatus),
          textColumn("Restarts", "The number of times the containers in this pod have been "
                     "restarted and when the last container in this pod has restarted.", 0,
                     podRestarts),
          ageColumn(),
          textColumn("IP", "IP address allocated to the pod. Routable at least within the "
                     "cluster. Empty if not yet allocated.", 1,
                     [](const json::object& o) { return stringAt(o, "status.podIP", "<none>"); }),
          textColumn("Node", "NodeName is a request to schedule this pod onto a specific node.",
                     1,
                     [](const json::object& o) { return stringAt(o, "spec.nodeName", "<none>"); }),
          textColumn("Nominated Node", "nominatedNodeName is set only when this pod preempts "
                     "other pods on the node, but it cannot be scheduled right away as "
                     "preemption victims receive their graceful termination periods.", 1,
                     [](const json::object& o) {
                       return stringAt(o, "status.nominatedNodeName", "<none>");
                     }),
          textColumn("Readiness Gates", "If specified, all readiness gates will be evaluated "
                     "for pod readiness.", 1, [](const json::object& o) {
                       const json::array* gates = arrayAt(o, "spec.readinessGates");
                       if (!gates || gates->empty()) return std::string("<none>");
                       return "0/" + std::to_string(gates->size());
                     })};
}

std::vector<Column> columnsFor(const api::ResourceType& type) {
  if (type.group.empty() && type.resource == "pods") return podColumns();
  if (type.resource == "namespaces") {
    return {nameColumn(),
            pathColumn("Status", "status.phase", "The status of the namespace"),
            ageColumn()};
  }
  if (type.resource == "configmaps") {
    return {nameColumn(),
            {"Data", "string", "", "Data contains the configuration data.", 0,
             [](const json::object& o) {
               return json::value(countOf(o, "data") + countOf(o, "binaryData"));
             }},
            ageColumn()};
  }
  if (type.resource == "secrets") {
    return {nameColumn(),
            pathColumn("Type", "type", "The type of the secret"),
            {"Data", "string", "", "The number of data entries in the secret", 0,
             [](const json::object& o) { return json::value(countOf(o, "data")); }},
            ageColumn()};
  }
  return {nameColumn(), ageColumn()};
}

json::object partialMetadata(const json::object& obj) {
  json::object out;
  out["kind"] = "PartialObjectMetadata";
  out["apiVersion"] = "meta.k8s.io/v1";
  const json::object* meta = api::findObject(obj, "metadata");
  out["metadata"] = meta ? *meta : json::object();
  return out;
}

}  // namespace

IncludeObject parseIncludeObject(const std::string& value) {
  if (value == "None") return IncludeObject::None;
  if (value == "Object") return IncludeObject::Object;
  return IncludeObject::Metadata;
}

json::object makeTable(const api::ResourceType& type, const std::vector<json::object>& objects,
                       IncludeObject include, const std::string& resourceVersion,
                       const std::string& continueToken) {
  std::vector<Column> columns = columnsFor(type);
  json::array defs;
  for (const Column& c : columns) {
    json::object d;
    d["name"] = c.name;
    d["type"] = c.type;
    d["format"] = c.format;
    d["description"] = c.description;
    d["priority"] = c.priority;
    defs.push_back(std::move(d));
  }
  json::array rows;
  for (const json::object& obj : objects) {
    json::array cells;
    for (const Column& c : columns) cells.push_back(c.cell(obj));
    json::object row;
    row["cells"] = std::move(cells);
    if (include == IncludeObject::Object) row["object"] = obj;
    if (include == IncludeObject::Metadata) row["object"] = partialMetadata(obj);
    rows.push_back(std::move(row));
  }
  json::object meta;
  if (!resourceVersion.empty()) meta["resourceVersion"] = resourceVersion;
  if (!continueToken.empty()) meta["continue"] = continueToken;
  json::object table;
  table["kind"] = "Table";
  table["apiVersion"] = "meta.k8s.io/v1";
  table["metadata"] = std::move(meta);
  table["columnDefinitions"] = std::move(defs);
  table["rows"] = std::move(rows);
  return table;
}

std::string humanDuration(std::chrono::seconds d) {
  long long s = d.count();
  if (s < -1) return "<invalid>";
  if (s < 0) return "0s";
  if (s < 120) return std::to_string(s) + "s";
  long long m = s / 60;
  auto two = [](long long a, const char* ua, long long b, const char* ub) {
    return b == 0 ? std::to_string(a) + ua : std::to_string(a) + ua + std::to_string(b) + ub;
  };
  if (m < 10) return two(m, "m", s % 60, "s");
  if (m < 180) return std::to_string(m) + "m";
  long long h = s / 3600;
  if (h < 8) return two(h, "h", m % 60, "m");
  if (h < 48) return std::to_string(h) + "h";
  if (h < 24 * 8) return two(h / 24, "d", h % 24, "h");
  if (h < 24 * 365 * 2) return std::to_string(h / 24) + "d";
  if (h < 24 * 365 * 8) return two(h / 24 / 365, "y", (h / 24) % 365, "d");
  return std::to_string(h / 24 / 365) + "y";
}

}  // namespace kcpp::apiserver
