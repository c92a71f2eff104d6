// Discovery documents (/api, /apis, group and resource lists), /version and the
// health endpoints, built from the registered resources.
#include <boost/json.hpp>

#include <set>

#include "apiserver/handlers/access_review.h"
#include "apiserver/handlers/api_handler.h"

namespace kcpp::apiserver {

namespace json = boost::json;

namespace {

json::array strings(const std::vector<std::string>& v) {
  json::array out;
  for (const auto& s : v) out.push_back(json::string(s));
  return out;
}

json::object resourceEntry(const api::ResourceType& t) {
  json::object r;
  r["name"] = t.resource;
  r["singularName"] = t.singular;
  r["namespaced"] = t.namespaced;
  r["kind"] = t.kind;
  r["verbs"] = strings(t.verbs);
  if (!t.shortNames.empty()) r["shortNames"] = strings(t.shortNames);
  if (!t.categories.empty()) r["categories"] = strings(t.categories);
  return r;
}

json::object subresourceEntry(const api::ResourceType& t, const std::string& sub) {
  json::object r;
  r["name"] = t.resource + "/" + sub;
  r["singularName"] = "";
  r["namespaced"] = t.namespaced;
  if (sub == "scale") {
    r["group"] = "autoscaling";
    r["version"] = "v1";
    r["kind"] = "Scale";
  } else {
    r["kind"] = t.kind;
  }
  r["verbs"] = strings({"get", "patch", "update"});
  if (sub == "finalize") r["verbs"] = strings({"update"});
  return r;
}

json::object groupVersion(const std::string& group, const std::string& version) {
  json::object gv;
  gv["groupVersion"] = group + "/" + version;
  gv["version"] = version;
  return gv;
}

json::object groupEntry(const std::string& group, const std::string& version) {
  json::object g;
  g["name"] = group;
  g["versions"] = json::array{groupVersion(group, version)};
  g["preferredVersion"] = groupVersion(group, version);
  return g;
}

ApiResponse ok(json::object body) { return jsonResponse(200, body); }

}  // namespace

std::optional<ApiResponse> ApiHandler::discovery(const RequestInfo& info) const {
  std::vector<std::string> parts;
  for (std::size_t i = 0, j; i < info.path.size(); i = j + 1) {
    j = info.path.find('/', i);
    if (j == std::string::npos) j = info.path.size();
    if (j > i) parts.push_back(info.path.substr(i, j - i));
  }
  if (parts == std::vector<std::string>{"api"}) {
    json::object body;
    body["kind"] = "APIVersions";
    body["versions"] = json::array{"v1"};
    json::object addr;
    addr["clientCIDR"] = "0.0.0.0/0";
    addr["serverAddress"] = options_.serverAddress;
    body["serverAddressByClientCIDRs"] = json::array{addr};
    return ok(std::move(body));
  }
  // The served types: the registries', then the reviews (not stored).
  std::vector<const api::ResourceType*> types;
  for (const Registry* r : registries_) types.push_back(&r->type());
  for (const auto& t : accessReviewTypes()) types.push_back(&t);
  // Groups in first-registered order, as discovery lists them by priority.
  std::vector<std::pair<std::string, std::string>> groups;
  for (const api::ResourceType* tp : types) {
    const auto& t = *tp;
    if (t.group.empty()) continue;
    bool seen = false;
    for (const auto& g : groups) seen = seen || g.first == t.group;
    if (!seen) groups.emplace_back(t.group, t.version);
  }
  if (parts == std::vector<std::string>{"apis"}) {
    json::array list;
    for (const auto& [g, v] : groups) list.push_back(groupEntry(g, v));
    json::object body;
    body["kind"] = "APIGroupList";
    body["apiVersion"] = "v1";
    body["groups"] = std::move(list);
    return ok(std::move(body));
  }
  if (parts.size() == 2 && parts[0] == "apis") {
    for (const auto& [g, v] : groups) {
      if (g != parts[1]) continue;
      json::object body = groupEntry(g, v);
      body["kind"] = "APIGroup";
      body["apiVersion"] = "v1";
      return ok(std::move(body));
    }
    return std::nullopt;
  }
  bool core = parts.size() == 2 && parts[0] == "api";
  bool named = parts.size() == 3 && parts[0] == "apis";
  if (!core && !named) return std::nullopt;
  std::string group = named ? parts[1] : "";
  std::string version = named ? parts[2] : parts[1];
  json::array resources;
  for (const api::ResourceType* tp : types) {
    const auto& t = *tp;
    if (t.group != group || t.version != version) continue;
    resources.push_back(resourceEntry(t));
    if (t.resource == "namespaces") resources.push_back(subresourceEntry(t, "finalize"));
    if (t.resource == "certificatesigningrequests") resources.push_back(subresourceEntry(t, "approval"));
    if (t.hasScale) resources.push_back(subresourceEntry(t, "scale"));
    if (t.hasStatus) resources.push_back(subresourceEntry(t, "status"));
  }
  if (resources.empty()) return std::nullopt;
  json::object body;
  body["kind"] = "APIResourceList";
  body["apiVersion"] = "v1";
  body["groupVersion"] = group.empty() ? version : group + "/" + version;
  body["resources"] = std::move(resources);
  return ok(std::move(body));
}

std::optional<ApiResponse> ApiHandler::handleNonResource(const ApiRequest& request) const {
  const std::string& path = request.path;
  if (path == "/healthz" || path == "/livez" || path == "/readyz" ||
      path.starts_with("/healthz/") || path.starts_with("/livez/") ||
      path.starts_with("/readyz/")) {
    bool ready = !path.starts_with("/readyz") || ready_;
    ApiResponse r;
    r.status = ready ? 200 : 500;
    r.contentType = "text/plain; charset=utf-8";
    if (request.query.count("verbose")) {
      r.body = std::string("[") + (ready ? "+" : "-") + "]ping ok\n[" + (ready ? "+" : "-") +
               "]etcd ok\n" + path.substr(1) + (ready ? " check passed\n" : " check failed\n");
    } else {
      r.body = ready ? "ok" : "not ready";
    }
    return r;
  }
  if (path == "/version") {
    json::object v;
    v["major"] = "1";
    v["minor"] = "33";
    v["emulationMajor"] = "1";
    v["emulationMinor"] = "33";
    v["minCompatibilityMajor"] = "1";
    v["minCompatibilityMinor"] = "32";
    v["gitVersion"] = options_.gitVersion;
    v["gitCommit"] = "kcpp";
    v["gitTreeState"] = "clean";
    v["buildDate"] = "2026-01-01T00:00:00Z";
    v["goVersion"] = "none (C++20)";
    v["compiler"] = "g++";
    v["platform"] = "linux/amd64";
    return ok(std::move(v));
  }
  return std::nullopt;
}

}  // namespace kcpp::apiserver
