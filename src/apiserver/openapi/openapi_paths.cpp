#include "apiserver/openapi/openapi_paths.h"

#include <algorithm>
#include <cctype>

#include "apiserver/openapi/openapi_parameters.h"

namespace kcpp::apiserver::openapi {

namespace json = boost::json;

namespace {

constexpr std::string_view kMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.";

bool hasVerb(const api::ResourceType& t, std::string_view verb) {
  return std::find(t.verbs.begin(), t.verbs.end(), verb) != t.verbs.end();
}

std::string capitalized(std::string_view s) {
  std::string out(s);
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

json::object schemaRef(const api::SchemaSet& schemas, const std::string& name) {
  if (name.empty() || !schemas.definition(name)) return json::object{{"type", "object"}};
  return json::object{{"$ref", std::string(api::kSchemaRefPrefix) + name}};
}

json::object response(const char* description, const json::object& schema, bool watch = false) {
  json::object content;
  for (const char* type : {"application/json", "application/yaml", "application/vnd.kubernetes.protobuf"}) {
    content[type] = json::object{{"schema", schema}};
  }
  if (watch) {
    for (const char* type : {"application/json;stream=watch", "application/vnd.kubernetes.protobuf;stream=watch"}) {
      content[type] = json::object{{"schema", schema}};
    }
  }
  return json::object{{"description", description}, {"content", std::move(content)}};
}

// "a Pod", "an Event", "Endpoints": the kind with upstream's article.
std::string withArticle(std::string_view kind) {
  if (kind.empty() || kind.back() == 's') return std::string(kind);
  bool vowel = std::string_view("AEIOU").find(kind[0]) != std::string_view::npos;
  return (vowel ? "an " : "a ") + std::string(kind);
}

json::object unauthorized() { return json::object{{"description", "Unauthorized"}}; }

// What every operation of one resource (or subresource) shares.
struct Target {
  const api::SchemaSet& schemas;
  std::string tag;
  std::string idMiddle;  // "CoreV1Namespaced"
  std::string kind;      // as in operation ids and descriptions: "Pod"
  json::object gvk;      // of the operations' objects
  json::object object;   // the schema reference of the object
};

json::object operation(const Target& t, const std::string& verb, std::string description,
                       const std::string& idSuffix, const char* action) {
  json::object op;
  op["tags"] = json::array{json::string(t.tag)};
  op["description"] = std::move(description);
  op["operationId"] = verb + t.idMiddle + t.kind + idSuffix;
  op["x-kubernetes-action"] = action;
  op["x-kubernetes-group-version-kind"] = t.gvk;
  return op;
}

json::object objectBody(const json::object& schema) {
  return json::object{{"content", json::object{{"*/*", json::object{{"schema", schema}}}}},
                      {"required", true}};
}

json::object patchBody(const api::SchemaSet& schemas) {
  json::object content;
  for (const char* type : {"application/apply-patch+yaml", "application/json-patch+json",
                           "application/merge-patch+json", "application/strategic-merge-patch+json"}) {
    content[type] = json::object{{"schema", schemaRef(schemas, std::string(kMeta) + "Patch")}};
  }
  return json::object{{"content", std::move(content)}, {"required", true}};
}

// get / put / patch of an object or one of its subresources ("Status", "Scale").
void addReadWrite(json::object& path, const Target& t, const api::ResourceType& type,
                  const std::string& sub) {
  std::string of = sub.empty() ? "" : " " + std::string(1, static_cast<char>(std::tolower(sub[0]))) +
                                          sub.substr(1) + " of";
  json::object get = operation(t, "read", "read" + of + " the specified " + type.kind, sub, "get");
  get["responses"] = json::object{{"200", response("OK", t.object)}, {"401", unauthorized()}};
  path["get"] = std::move(get);
  if (hasVerb(type, "update")) {
    json::object put = operation(t, "replace", "replace" + of + " the specified " + type.kind, sub, "put");
    put["parameters"] = parameters({"dryRun", "fieldManager", "fieldValidation"});
    put["requestBody"] = objectBody(t.object);
    put["responses"] = json::object{{"200", response("OK", t.object)},
                                    {"201", response("Created", t.object)},
                                    {"401", unauthorized()}};
    path["put"] = std::move(put);
  }
  if (hasVerb(type, "patch")) {
    json::object patch = operation(t, "patch", "partially update" + of + " the specified " + type.kind,
                                   sub, "patch");
    patch["parameters"] = parameters({"dryRun", "fieldManager", "fieldValidation", "force"});
    patch["requestBody"] = patchBody(t.schemas);
    patch["responses"] = json::object{{"200", response("OK", t.object)},
                                      {"201", response("Created", t.object)},
                                      {"401", unauthorized()}};
    path["patch"] = std::move(patch);
  }
}

json::array pathParameters(const api::ResourceType& type, bool named) {
  json::array out;
  if (named) out.push_back(nameParameter(type.kind));
  if (type.namespaced) out.push_back(parameter("namespace"));
  out.push_back(parameter("pretty"));
  return out;
}

json::array listParameters() {
  return parameters({"allowWatchBookmarks", "continue", "fieldSelector", "labelSelector", "limit",
                     "resourceVersion", "resourceVersionMatch", "sendInitialEvents",
                     "timeoutSeconds", "watch"});
}

json::object collectionPath(const Target& t, const api::ResourceType& type, const json::object& list) {
  json::object path;
  if (hasVerb(type, "list")) {
    json::object get = operation(t, "list", "list or watch objects of kind " + type.kind, "", "list");
    get["parameters"] = listParameters();
    get["responses"] = json::object{{"200", response("OK", list, true)}, {"401", unauthorized()}};
    path["get"] = std::move(get);
  }
  if (hasVerb(type, "create")) {
    json::object post = operation(t, "create", "create " + withArticle(type.kind), "", "post");
    post["parameters"] = parameters({"dryRun", "fieldManager", "fieldValidation"});
    post["requestBody"] = objectBody(t.object);
    post["responses"] = json::object{{"200", response("OK", t.object)},
                                     {"201", response("Created", t.object)},
                                     {"202", response("Accepted", t.object)},
                                     {"401", unauthorized()}};
    path["post"] = std::move(post);
  }
  if (hasVerb(type, "deletecollection")) {
    json::object del = operation(t, "deleteCollection", "delete collection of " + type.kind, "",
                                 "deletecollection");
    del["parameters"] = parameters({"continue", "dryRun", "fieldSelector", "gracePeriodSeconds",
                                    "ignoreStoreReadErrorWithClusterBreakingPotential",
                                    "labelSelector", "limit", "orphanDependents", "propagationPolicy",
                                    "resourceVersion", "resourceVersionMatch", "sendInitialEvents",
                                    "timeoutSeconds"});
    del["requestBody"] = objectBody(schemaRef(t.schemas, std::string(kMeta) + "DeleteOptions"));
    del["responses"] = json::object{{"200", response("OK", schemaRef(t.schemas, std::string(kMeta) + "Status"))},
                                    {"401", unauthorized()}};
    path["delete"] = std::move(del);
  }
  path["parameters"] = pathParameters(type, false);
  return path;
}

json::object itemPath(const Target& t, const api::ResourceType& type) {
  json::object path;
  addReadWrite(path, t, type, "");
  if (hasVerb(type, "delete")) {
    json::object del = operation(t, "delete", "delete " + withArticle(type.kind), "", "delete");
    del["parameters"] = parameters({"dryRun", "gracePeriodSeconds",
                                    "ignoreStoreReadErrorWithClusterBreakingPotential",
                                    "orphanDependents", "propagationPolicy"});
    del["requestBody"] = objectBody(schemaRef(t.schemas, std::string(kMeta) + "DeleteOptions"));
    json::object result = type.returnsDeletedObject ? t.object
                                                    : schemaRef(t.schemas, std::string(kMeta) + "Status");
    del["responses"] = json::object{{"200", response("OK", result)},
                                    {"202", response("Accepted", result)},
                                    {"401", unauthorized()}};
    path["delete"] = std::move(del);
  }
  path["parameters"] = pathParameters(type, true);
  return path;
}

json::object gvkObject(std::string_view group, std::string_view version, std::string_view kind) {
  return json::object{{"group", group}, {"kind", kind}, {"version", version}};
}

void addResource(json::object& paths, const api::SchemaSet& schemas, const std::string& prefix,
                 const api::ResourceType& type) {
  std::string gv = operationGroup(type.group) + capitalized(type.version);
  Target t{schemas, operationTag(type.group, type.version), gv + (type.namespaced ? "Namespaced" : ""),
           type.kind, gvkObject(type.group, type.version, type.kind),
           schemaRef(schemas, schemas.rootName(type.group, type.version, type.kind))};
  json::object list = schemaRef(schemas, schemas.rootName(type.group, type.version, type.listKind()));
  std::string collection = prefix + (type.namespaced ? "/namespaces/{namespace}/" : "/") + type.resource;
  paths[collection] = collectionPath(t, type, list);
  paths[collection + "/{name}"] = itemPath(t, type);
  if (type.hasStatus) {
    json::object status;
    addReadWrite(status, t, type, "Status");
    status["parameters"] = pathParameters(type, true);
    paths[collection + "/{name}/status"] = std::move(status);
  }
  if (type.hasScale) {
    Target scale = t;
    scale.gvk = gvkObject("autoscaling", "v1", "Scale");
    scale.object = schemaRef(schemas, schemas.rootName("autoscaling", "v1", "Scale"));
    json::object path;
    addReadWrite(path, scale, type, "Scale");
    path["parameters"] = pathParameters(type, true);
    paths[collection + "/{name}/scale"] = std::move(path);
  }
  if (type.resource == "namespaces") {
    json::object finalize;
    addReadWrite(finalize, t, type, "Finalize");
    finalize.erase("get");
    finalize.erase("patch");
    finalize["parameters"] = pathParameters(type, true);
    paths[collection + "/{name}/finalize"] = std::move(finalize);
  }
  if (type.namespaced && hasVerb(type, "list")) {
    Target all = t;
    all.idMiddle = gv;
    json::object get = operation(all, "list", "list or watch objects of kind " + type.kind,
                                 "ForAllNamespaces", "list");
    get["responses"] = json::object{{"200", response("OK", list, true)}, {"401", unauthorized()}};
    json::array params = listParameters();
    params.push_back(parameter("pretty"));
    paths[prefix + "/" + type.resource] = json::object{{"get", std::move(get)}, {"parameters", std::move(params)}};
  }
}

}  // namespace

std::string operationGroup(std::string_view group) {
  if (group.empty()) return "Core";
  std::string_view g = group;
  if (g.ends_with(".k8s.io")) g.remove_suffix(7);
  std::string out;
  while (!g.empty()) {
    auto dot = g.find('.');
    out += capitalized(g.substr(0, dot));
    g = dot == std::string_view::npos ? std::string_view() : g.substr(dot + 1);
  }
  return out;
}

std::string operationTag(std::string_view group, std::string_view version) {
  std::string name = operationGroup(group);
  name[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
  return name + "_" + std::string(version);
}

json::object discoveryPath(const api::SchemaSet& schemas, std::string_view operationId,
                           std::string_view tag, std::string_view description,
                           std::string_view responseDefinition) {
  json::object get;
  get["tags"] = json::array{json::string(tag)};
  get["description"] = description;
  get["operationId"] = operationId;
  get["responses"] =
      json::object{{"200", response("OK", schemaRef(schemas, std::string(responseDefinition)))},
                   {"401", unauthorized()}};
  return json::object{{"get", std::move(get)}};
}

json::object groupVersionPaths(const api::SchemaSet& schemas, std::string_view group,
                               std::string_view version,
                               const std::vector<const api::ResourceType*>& resources) {
  std::string prefix = group.empty() ? "/api/" + std::string(version)
                                     : "/apis/" + std::string(group) + "/" + std::string(version);
  json::object paths;
  paths[prefix + "/"] = discoveryPath(schemas, "get" + operationGroup(group) + capitalized(version) +
                                                   "APIResources",
                                      operationTag(group, version), "get available resources",
                                      std::string(kMeta) + "APIResourceList");
  for (const auto* type : resources) addResource(paths, schemas, prefix, *type);
  return paths;
}

}  // namespace kcpp::apiserver::openapi
