// ApiHandler without sockets: requests go straight to handle(), answers land in a
// recording ResponseSink; registries are real, over the in-memory store.
#include "apiserver/handlers/api_handler.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <optional>
#include <sstream>

#include "api/meta/object.h"
#include "apiserver/admission/namespacelifecycle/namespace_lifecycle.h"
#include "apiserver/registry/namespaces/namespace_strategy.h"
#include "apiserver/registry/pods/pod_strategy.h"
#include "storage/memory/memory_store.h"

namespace kcpp::apiserver {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

// Records what the handler sends.
class RecordingSink : public ResponseSink {
 public:
  asio::awaitable<void> respond(ApiResponse response) override {
    responses.push_back(std::move(response));
    co_return;
  }
  asio::awaitable<bool> startStream(int status, std::string contentType) override {
    streamStatus = status;
    streamContentType = std::move(contentType);
    co_return true;
  }
  asio::awaitable<bool> writeChunk(std::string data) override {
    chunks.push_back(std::move(data));
    co_return true;
  }
  asio::awaitable<void> endStream() override {
    ended = true;
    co_return;
  }

  // The one response, as JSON.
  json::object body() const {
    EXPECT_EQ(responses.size(), 1u);
    if (responses.empty()) return {};
    boost::system::error_code ec;
    json::value v = json::parse(responses[0].body, ec);
    EXPECT_FALSE(ec) << responses[0].body;
    return v.is_object() ? v.as_object() : json::object();
  }
  int status() const { return responses.empty() ? 0 : responses[0].status; }
  const std::string& text() const {
    static const std::string kNone;
    return responses.empty() ? kNone : responses[0].body;
  }
  // The watch events streamed, one JSON object per line.
  std::vector<json::object> events() const {
    std::string all;
    for (const auto& c : chunks) all += c;
    std::vector<json::object> out;
    std::istringstream lines(all);
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty()) out.push_back(json::parse(line).as_object());
    }
    return out;
  }

  std::vector<ApiResponse> responses;
  std::optional<int> streamStatus;
  std::string streamContentType;
  std::vector<std::string> chunks;
  bool ended = false;
};

std::string str(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

const json::value& at(const json::object& obj, std::string_view path) {
  static const json::value kMissing;
  const json::value* v = api::findPath(obj, path);
  return v ? *v : kMissing;
}

// Percent-encodes a query value as clients do (url.Values.Encode).
std::string queryEscape(const std::string& value) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

UserInfo admin() { return UserInfo{"admin", "", {"system:masters", "system:authenticated"}}; }

StrategyPtr strategyFor(const api::ResourceType& type) {
  if (type.group.empty() && type.resource == "namespaces") {
    return std::make_unique<NamespaceStrategy>();
  }
  if (type.group.empty() && type.resource == "pods") return std::make_unique<PodStrategy>();
  return nullptr;
}

constexpr const char* kTable = "application/json;as=Table;v=v1;g=meta.k8s.io";

class ApiHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Writes before the caches start: their event history begins after them, so
    // a watch from an older resourceVersion is "too old".
    ASSERT_TRUE(store->createNow("/registry/unrelated/one", "{}").ok());
    ASSERT_TRUE(store->createNow("/registry/unrelated/two", "{}").ok());
    for (api::ResourceType& type : api::builtinResources()) {
      auto strategy = strategyFor(type);
      registries.push_back(std::make_unique<Registry>(std::move(type), *store, std::move(strategy)));
    }
    std::vector<admission::PluginPtr> plugins;
    plugins.push_back(
        std::make_unique<admission::NamespaceLifecycle>(*handlerRegistry("", "namespaces")));
    admissionChain = std::make_unique<admission::Chain>(std::move(plugins));
    for (auto& r : registries) r->setAdmission(*admissionChain);
    run([&]() -> asio::awaitable<void> {
      for (auto& r : registries) {
        auto started = co_await r->start();
        EXPECT_TRUE(started.ok());
      }
    });
    ApiHandlerOptions options;
    options.serverAddress = "127.0.0.1:6443";
    handler = std::make_unique<ApiHandler>(options, authorizer);
    for (auto& r : registries) handler->addRegistry(*r);
    handler->setReady(true);
    ASSERT_EQ(call("POST", "/api/v1/namespaces", R"({"metadata":{"name":"default"}})").status(),
              201);
  }

  Registry* handlerRegistry(const std::string& group, const std::string& resource) {
    for (auto& r : registries) {
      if (r->type().group == group && r->type().resource == resource) return r.get();
    }
    return nullptr;
  }

  template <class Body>
  void run(Body body) {
    auto done = asio::co_spawn(io, std::move(body), asio::use_future);
    io.restart();
    io.run();
    done.get();
  }

  static ApiRequest request(const std::string& method, const std::string& target,
                            std::string body = "", std::string contentType = "") {
    ApiRequest r;
    r.method = method;
    auto q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = parseQuery(std::string_view(target).substr(q + 1));
    r.body = std::move(body);
    r.contentType = contentType.empty() && !r.body.empty() ? "application/json" : contentType;
    r.user = admin();
    return r;
  }

  RecordingSink send(ApiRequest r) {
    RecordingSink sink;
    run([&]() -> asio::awaitable<void> { co_await handler->handle(std::move(r), sink); });
    return sink;
  }

  RecordingSink call(const std::string& method, const std::string& target, std::string body = "",
                     std::string contentType = "") {
    return send(request(method, target, std::move(body), std::move(contentType)));
  }

  RecordingSink get(const std::string& target, const std::string& accept = "") {
    ApiRequest r = request("GET", target);
    r.accept = accept;
    return send(std::move(r));
  }

  void createConfigMap(const std::string& name, const std::string& labels = "{}") {
    std::string body = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")" + name +
                       R"(","labels":)" + labels + R"(},"data":{"k":"v"}})";
    auto sink = call("POST", "/api/v1/namespaces/default/configmaps", body);
    ASSERT_EQ(sink.status(), 201) << sink.text();
  }

  static std::vector<std::string> itemNames(const json::object& list) {
    std::vector<std::string> names;
    const json::value& items = at(list, "items");
    if (!items.is_array()) return names;
    for (const auto& item : items.as_array()) names.push_back(str(item.as_object(), "metadata.name"));
    return names;
  }

  static const json::object* findResource(const json::object& list, const std::string& name) {
    for (const auto& r : at(list, "resources").as_array()) {
      if (str(r.as_object(), "name") == name) return &r.as_object();
    }
    return nullptr;
  }

  // Declared in destruction order: handler and registries before the store, the
  // store before the io_context its events are posted to.
  asio::io_context io;
  std::unique_ptr<storage::MemoryStore> store = storage::makeMemoryStore();
  PrivilegedGroupAuthorizer authorizer{"system:masters"};
  std::vector<RegistryPtr> registries;
  std::unique_ptr<admission::Chain> admissionChain;
  std::unique_ptr<ApiHandler> handler;
};

// --- authentication and authorization ----------------------------------------------

TEST_F(ApiHandlerTest, NoUserIs401) {
  ApiRequest r = request("GET", "/api/v1/namespaces/default/configmaps");
  r.user.reset();
  auto sink = send(std::move(r));
  EXPECT_EQ(sink.status(), 401);
  json::object status = sink.body();
  EXPECT_EQ(str(status, "kind"), "Status");
  EXPECT_EQ(str(status, "status"), "Failure");
  EXPECT_EQ(str(status, "message"), "Unauthorized");
  EXPECT_EQ(str(status, "reason"), "Unauthorized");
  EXPECT_EQ(at(status, "code"), 401);
}

// Health and version are authorized like any path (upstream grants them to
// anonymous users through RBAC's system:public-info-viewer, not in the handler).
TEST_F(ApiHandlerTest, HealthAndVersionAreAuthorizedLikeAnyPath) {
  for (const char* path : {"/healthz", "/livez", "/readyz", "/version"}) {
    ApiRequest r = request("GET", path);
    r.user.reset();
    EXPECT_EQ(send(std::move(r)).status(), 401) << path;
    ApiRequest anon = request("GET", path);
    anon.user = UserInfo{"system:anonymous", "", {"system:unauthenticated"}};
    auto sink = send(std::move(anon));
    EXPECT_EQ(sink.status(), 403) << path;
    EXPECT_EQ(str(sink.body(), "message"),
              "forbidden: User \"system:anonymous\" cannot get path \"" + std::string(path) + "\"");
    EXPECT_EQ(send(request("GET", path)).status(), 200) << path;
  }
}

TEST_F(ApiHandlerTest, UserOutsideSystemMastersIs403) {
  UserInfo bob{"bob", "", {"system:authenticated"}};
  ApiRequest r = request("GET", "/api/v1/namespaces/default/configmaps/x");
  r.user = bob;
  auto sink = send(std::move(r));
  EXPECT_EQ(sink.status(), 403);
  json::object status = sink.body();
  EXPECT_EQ(str(status, "reason"), "Forbidden");
  EXPECT_EQ(str(status, "message"),
            "configmaps \"x\" is forbidden: User \"bob\" cannot get resource \"configmaps\" in "
            "API group \"\" in the namespace \"default\"");
  EXPECT_EQ(str(status, "details.name"), "x");
  EXPECT_EQ(str(status, "details.kind"), "configmaps");
  EXPECT_EQ(at(status, "code"), 403);

  ApiRequest list = request("GET", "/apis/apps/v1/deployments");
  list.user = bob;
  EXPECT_EQ(str(send(std::move(list)).body(), "message"),
            "deployments.apps is forbidden: User \"bob\" cannot list resource \"deployments\" in "
            "API group \"apps\" at the cluster scope");

  ApiRequest path = request("GET", "/api");
  path.user = bob;
  auto forbiddenPath = send(std::move(path));
  EXPECT_EQ(forbiddenPath.status(), 403);
  EXPECT_EQ(str(forbiddenPath.body(), "message"), "forbidden: User \"bob\" cannot get path \"/api\"");
}

// --- discovery, version, health ------------------------------------------------------

TEST_F(ApiHandlerTest, DiscoveryOfTheCoreApi) {
  json::object api = get("/api").body();
  EXPECT_EQ(str(api, "kind"), "APIVersions");
  EXPECT_EQ(at(api, "versions"), json::array{"v1"});
  ASSERT_EQ(at(api, "serverAddressByClientCIDRs").as_array().size(), 1u);
  const json::object& addr = at(api, "serverAddressByClientCIDRs").as_array()[0].as_object();
  EXPECT_EQ(str(addr, "clientCIDR"), "0.0.0.0/0");
  EXPECT_EQ(str(addr, "serverAddress"), "127.0.0.1:6443");

  json::object v1 = get("/api/v1").body();
  EXPECT_EQ(str(v1, "kind"), "APIResourceList");
  EXPECT_EQ(str(v1, "groupVersion"), "v1");
  const json::object* cms = findResource(v1, "configmaps");
  ASSERT_NE(cms, nullptr);
  EXPECT_EQ(str(*cms, "kind"), "ConfigMap");
  EXPECT_EQ(str(*cms, "singularName"), "configmap");
  EXPECT_EQ(at(*cms, "namespaced"), true);
  EXPECT_EQ(at(*cms, "shortNames"), json::array{"cm"});
  EXPECT_EQ(at(*cms, "verbs"), (json::array{"create", "delete", "deletecollection", "get", "list",
                                            "patch", "update", "watch"}));
  const json::object* namespaces = findResource(v1, "namespaces");
  ASSERT_NE(namespaces, nullptr);
  EXPECT_EQ(at(*namespaces, "namespaced"), false);
  const json::object* finalize = findResource(v1, "namespaces/finalize");
  ASSERT_NE(finalize, nullptr);
  EXPECT_EQ(at(*finalize, "verbs"), json::array{"update"});
  const json::object* podStatus = findResource(v1, "pods/status");
  ASSERT_NE(podStatus, nullptr);
  EXPECT_EQ(str(*podStatus, "kind"), "Pod");
  EXPECT_EQ(findResource(v1, "configmaps/status"), nullptr);
  EXPECT_EQ(findResource(v1, "deployments"), nullptr);
}

TEST_F(ApiHandlerTest, DiscoveryOfGroups) {
  json::object apis = get("/apis").body();
  EXPECT_EQ(str(apis, "kind"), "APIGroupList");
  const json::array& groups = at(apis, "groups").as_array();
  ASSERT_FALSE(groups.empty());
  const json::object& apps = groups[0].as_object();
  EXPECT_EQ(str(apps, "name"), "apps");
  EXPECT_EQ(str(apps, "preferredVersion.groupVersion"), "apps/v1");
  EXPECT_EQ(str(apps, "preferredVersion.version"), "v1");
  std::vector<std::string> names;
  for (const auto& g : groups) names.push_back(str(g.as_object(), "name"));
  for (const char* expected : {"batch", "networking.k8s.io", "rbac.authorization.k8s.io"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  }
  EXPECT_EQ(std::find(names.begin(), names.end(), ""), names.end());

  json::object group = get("/apis/apps").body();
  EXPECT_EQ(str(group, "kind"), "APIGroup");
  EXPECT_EQ(str(group, "name"), "apps");

  json::object appsV1 = get("/apis/apps/v1").body();
  EXPECT_EQ(str(appsV1, "groupVersion"), "apps/v1");
  const json::object* scale = findResource(appsV1, "deployments/scale");
  ASSERT_NE(scale, nullptr);
  EXPECT_EQ(str(*scale, "group"), "autoscaling");
  EXPECT_EQ(str(*scale, "version"), "v1");
  EXPECT_EQ(str(*scale, "kind"), "Scale");

  auto unknown = get("/apis/nope.example.com/v1");
  EXPECT_EQ(unknown.status(), 404);
  EXPECT_EQ(unknown.text(), "404 page not found\n");
}

TEST_F(ApiHandlerTest, Version) {
  json::object version = get("/version").body();
  EXPECT_EQ(str(version, "major"), "1");
  EXPECT_EQ(str(version, "minor"), "33");
  EXPECT_EQ(str(version, "gitVersion"), "v1.33.0+kcpp");
  EXPECT_EQ(str(version, "platform"), "linux/amd64");
}

TEST_F(ApiHandlerTest, HealthAndReadiness) {
  auto healthz = get("/healthz");
  EXPECT_EQ(healthz.status(), 200);
  EXPECT_EQ(healthz.text(), "ok");

  handler->setReady(false);
  auto notReady = get("/readyz");
  EXPECT_EQ(notReady.status(), 500);
  EXPECT_EQ(notReady.text(), "not ready");
  EXPECT_EQ(get("/healthz").status(), 200);  // liveness does not depend on readiness

  handler->setReady(true);
  auto ready = get("/readyz");
  EXPECT_EQ(ready.status(), 200);
  EXPECT_EQ(ready.text(), "ok");
  auto verbose = get("/readyz?verbose");
  EXPECT_NE(verbose.text().find("[+]ping ok"), std::string::npos) << verbose.text();
  EXPECT_NE(verbose.text().find("readyz check passed"), std::string::npos) << verbose.text();
}

// --- create, get, list, delete ---------------------------------------------------------

TEST_F(ApiHandlerTest, CreateGetAndList) {
  auto created = call("POST", "/api/v1/namespaces/default/configmaps",
                      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},
                          "data":{"k":"v"}})");
  ASSERT_EQ(created.status(), 201) << created.text();
  json::object obj = created.body();
  EXPECT_FALSE(str(obj, "metadata.uid").empty());
  EXPECT_EQ(str(obj, "metadata.namespace"), "default");

  auto got = get("/api/v1/namespaces/default/configmaps/a");
  EXPECT_EQ(got.status(), 200);
  EXPECT_EQ(got.responses[0].contentType, "application/json");
  EXPECT_EQ(got.body(), obj);

  createConfigMap("b");
  auto listed = get("/api/v1/namespaces/default/configmaps");
  EXPECT_EQ(listed.status(), 200);
  json::object list = listed.body();
  EXPECT_EQ(str(list, "kind"), "ConfigMapList");
  EXPECT_EQ(str(list, "apiVersion"), "v1");
  EXPECT_EQ(str(list, "metadata.resourceVersion"), std::to_string(store->currentRevisionNow()));
  EXPECT_EQ(at(list, "metadata.continue"), nullptr);
  EXPECT_EQ(itemNames(list), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(at(list, "items").as_array()[0].as_object(), obj);

  // All namespaces.
  auto everywhere = get("/api/v1/configmaps");
  EXPECT_EQ(itemNames(everywhere.body()), (std::vector<std::string>{"a", "b"}));
}

TEST_F(ApiHandlerTest, ErrorsAreStatusObjects) {
  auto missing = get("/api/v1/namespaces/default/configmaps/nope");
  EXPECT_EQ(missing.status(), 404);
  json::object status = missing.body();
  EXPECT_EQ(str(status, "message"), "configmaps \"nope\" not found");
  EXPECT_EQ(str(status, "reason"), "NotFound");
  EXPECT_EQ(str(status, "details.name"), "nope");
  EXPECT_EQ(str(status, "details.kind"), "configmaps");

  auto noNamespace = call("POST", "/api/v1/namespaces/ghost/configmaps",
                          R"({"metadata":{"name":"a"}})");
  EXPECT_EQ(noNamespace.status(), 404);
  EXPECT_EQ(str(noNamespace.body(), "message"), "namespaces \"ghost\" not found");

  auto unknownResource = get("/api/v1/namespaces/default/widgets");
  EXPECT_EQ(unknownResource.status(), 404);
  EXPECT_EQ(str(unknownResource.body(), "message"),
            "the server could not find the requested resource");

  createConfigMap("a");
  auto exists = call("POST", "/api/v1/namespaces/default/configmaps", R"({"metadata":{"name":"a"}})");
  EXPECT_EQ(exists.status(), 409);
  EXPECT_EQ(str(exists.body(), "reason"), "AlreadyExists");
}

TEST_F(ApiHandlerTest, DeleteAnswersStatusOrTheObject) {
  createConfigMap("a");
  auto deleted = call("DELETE", "/api/v1/namespaces/default/configmaps/a");
  EXPECT_EQ(deleted.status(), 200);
  json::object status = deleted.body();
  EXPECT_EQ(str(status, "kind"), "Status");
  EXPECT_EQ(str(status, "status"), "Success");
  EXPECT_EQ(str(status, "details.name"), "a");
  EXPECT_EQ(str(status, "details.kind"), "configmaps");
  EXPECT_FALSE(str(status, "details.uid").empty());
  EXPECT_EQ(get("/api/v1/namespaces/default/configmaps/a").status(), 404);

  // Pods answer with the deleted object.
  ASSERT_EQ(call("POST", "/api/v1/namespaces/default/pods",
                 R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"x"}]}})")
                .status(),
            201);
  auto pod = call("DELETE", "/api/v1/namespaces/default/pods/p");
  EXPECT_EQ(pod.status(), 200);
  EXPECT_EQ(str(pod.body(), "kind"), "Pod");
}

// --- list options --------------------------------------------------------------------

TEST_F(ApiHandlerTest, LimitAndContinuePage) {
  for (const char* name : {"a", "b", "c"}) createConfigMap(name);
  json::object first = get("/api/v1/namespaces/default/configmaps?limit=2").body();
  EXPECT_EQ(itemNames(first), (std::vector<std::string>{"a", "b"}));
  std::string token = str(first, "metadata.continue");
  ASSERT_FALSE(token.empty());
  // (Not asserted: metadata.remainingItemCount. The cache sets it for a page it
  // serves from memory, but a page read from the store, when the cache has not
  // yet received the latest write, has none: the Store's RangeResult has no count.)
  std::string rv = str(first, "metadata.resourceVersion");

  // Writes after the first page do not show in the next one (same snapshot).
  createConfigMap("d");
  json::object second =
      get("/api/v1/namespaces/default/configmaps?limit=2&continue=" + queryEscape(token)).body();
  EXPECT_EQ(itemNames(second), std::vector<std::string>{"c"});
  EXPECT_EQ(at(second, "metadata.continue"), nullptr);
  EXPECT_EQ(str(second, "metadata.resourceVersion"), rv);

  auto bad = get("/api/v1/namespaces/default/configmaps?limit=2&continue=!!!");
  EXPECT_EQ(bad.status(), 400);
}

TEST_F(ApiHandlerTest, LabelAndFieldSelectorsFilter) {
  createConfigMap("a", R"({"app":"web"})");
  createConfigMap("b", R"({"app":"db"})");
  createConfigMap("c", R"({"app":"web","tier":"front"})");
  const std::string base = "/api/v1/namespaces/default/configmaps";
  EXPECT_EQ(itemNames(get(base + "?labelSelector=app%3Dweb").body()),
            (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(itemNames(get(base + "?labelSelector=app!%3Dweb").body()),
            std::vector<std::string>{"b"});
  EXPECT_EQ(itemNames(get(base + "?labelSelector=tier").body()), std::vector<std::string>{"c"});
  EXPECT_EQ(itemNames(get(base + "?fieldSelector=metadata.name%3Db").body()),
            std::vector<std::string>{"b"});
  EXPECT_EQ(itemNames(get(base + "?fieldSelector=metadata.name!%3Db&labelSelector=app%3Dweb").body()),
            (std::vector<std::string>{"a", "c"}));
  EXPECT_TRUE(itemNames(get(base + "?fieldSelector=metadata.namespace%3Dother").body()).empty());

  auto unsupported = get(base + "?fieldSelector=spec.foo%3Dbar");
  EXPECT_EQ(unsupported.status(), 400);
  json::object status = unsupported.body();
  EXPECT_EQ(str(status, "reason"), "BadRequest");
  EXPECT_NE(str(status, "message").find("spec.foo"), std::string::npos) << str(status, "message");

  // Resources with selectable fields accept them.
  EXPECT_EQ(get("/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-1").status(), 200);
}

TEST_F(ApiHandlerTest, TableForm) {
  createConfigMap("a");
  auto listed = get("/api/v1/namespaces/default/configmaps", kTable);
  EXPECT_EQ(listed.status(), 200);
  json::object table = listed.body();
  EXPECT_EQ(str(table, "kind"), "Table");
  EXPECT_EQ(str(table, "apiVersion"), "meta.k8s.io/v1");
  EXPECT_FALSE(str(table, "metadata.resourceVersion").empty());
  std::vector<std::string> columns;
  for (const auto& c : at(table, "columnDefinitions").as_array()) {
    columns.push_back(str(c.as_object(), "name"));
  }
  EXPECT_EQ(columns, (std::vector<std::string>{"Name", "Data", "Age"}));
  const json::array& rows = at(table, "rows").as_array();
  ASSERT_EQ(rows.size(), 1u);
  const json::array& cells = rows[0].as_object().at("cells").as_array();
  ASSERT_EQ(cells.size(), 3u);
  EXPECT_EQ(cells[0], "a");
  EXPECT_EQ(cells[1], 1);
  EXPECT_TRUE(cells[2].is_string());
  // By default each row carries the object's metadata.
  const json::object& rowObject = rows[0].as_object().at("object").as_object();
  EXPECT_EQ(str(rowObject, "kind"), "PartialObjectMetadata");
  EXPECT_EQ(str(rowObject, "metadata.name"), "a");

  json::object one = get("/api/v1/namespaces/default/configmaps/a?includeObject=Object", kTable).body();
  EXPECT_EQ(str(one, "kind"), "Table");
  ASSERT_EQ(at(one, "rows").as_array().size(), 1u);
  EXPECT_EQ(str(at(one, "rows").as_array()[0].as_object().at("object").as_object(), "kind"),
            "ConfigMap");

  // Namespaces have a Status column.
  json::object namespaces = get("/api/v1/namespaces", kTable).body();
  EXPECT_EQ(str(at(namespaces, "columnDefinitions").as_array()[1].as_object(), "name"), "Status");
  EXPECT_EQ(at(namespaces, "rows").as_array()[0].as_object().at("cells").as_array()[1], "Active");
}

// --- bodies and methods ----------------------------------------------------------------

TEST_F(ApiHandlerTest, YamlRequestBodyAndYamlResponse) {
  const std::string yaml =
      "apiVersion: v1\n"
      "kind: ConfigMap\n"
      "metadata:\n"
      "  name: from-yaml\n"
      "  labels:\n"
      "    app: web\n"
      "data:\n"
      "  enabled: \"true\"\n"
      "  count: \"3\"\n";
  auto created = call("POST", "/api/v1/namespaces/default/configmaps", yaml, "application/yaml");
  ASSERT_EQ(created.status(), 201) << created.text();
  json::object obj = created.body();
  EXPECT_EQ(str(obj, "metadata.name"), "from-yaml");
  EXPECT_EQ(str(obj, "metadata.labels.app"), "web");
  EXPECT_EQ(at(obj, "data.enabled"), "true");
  EXPECT_EQ(at(obj, "data.count"), "3");

  auto asYaml = get("/api/v1/namespaces/default/configmaps/from-yaml", "application/yaml");
  EXPECT_EQ(asYaml.status(), 200);
  EXPECT_EQ(asYaml.responses[0].contentType, "application/yaml");
  EXPECT_NE(asYaml.text().find("name: from-yaml"), std::string::npos) << asYaml.text();
  EXPECT_NE(asYaml.text().find("enabled: \"true\""), std::string::npos) << asYaml.text();
}

TEST_F(ApiHandlerTest, UnknownBodyMediaTypeIs415) {
  auto sink = call("POST", "/api/v1/namespaces/default/configmaps", "name: a", "text/plain");
  EXPECT_EQ(sink.status(), 415);
  json::object status = sink.body();
  EXPECT_EQ(str(status, "reason"), "UnsupportedMediaType");
  EXPECT_EQ(str(status, "message"),
            "the body of the request was in an unknown format - accepted media types include: "
            "application/json, application/yaml, application/vnd.kubernetes.protobuf");
  EXPECT_TRUE(itemNames(get("/api/v1/namespaces/default/configmaps").body()).empty());
}

TEST_F(ApiHandlerTest, UpdateOrPatchOfACollectionIs405) {
  createConfigMap("a");
  auto put = call("PUT", "/api/v1/namespaces/default/configmaps",
                  R"({"metadata":{"name":"a"},"data":{"k":"changed"}})");
  EXPECT_EQ(put.status(), 405);
  json::object status = put.body();
  EXPECT_EQ(str(status, "reason"), "MethodNotAllowed");
  EXPECT_EQ(str(status, "message"),
            "the server does not allow this method on the requested resource");
  auto patch = call("PATCH", "/api/v1/namespaces/default/configmaps", R"({"data":{}})",
                    "application/merge-patch+json");
  EXPECT_EQ(patch.status(), 405);
  EXPECT_EQ(str(get("/api/v1/namespaces/default/configmaps/a").body(), "data.k"), "v");
}

TEST_F(ApiHandlerTest, UpdateAndPatchOfAnObject) {
  createConfigMap("a");
  json::object current = get("/api/v1/namespaces/default/configmaps/a").body();
  current["data"] = json::object{{"k", "put"}};
  auto put = call("PUT", "/api/v1/namespaces/default/configmaps/a", json::serialize(current));
  EXPECT_EQ(put.status(), 200) << put.text();
  EXPECT_EQ(str(put.body(), "data.k"), "put");

  // The same body again carries a stale resourceVersion.
  auto stale = call("PUT", "/api/v1/namespaces/default/configmaps/a", json::serialize(current));
  EXPECT_EQ(stale.status(), 409);
  EXPECT_EQ(str(stale.body(), "reason"), "Conflict");

  auto patched = call("PATCH", "/api/v1/namespaces/default/configmaps/a",
                      R"({"data":{"extra":"1"}})", "application/merge-patch+json");
  EXPECT_EQ(patched.status(), 200) << patched.text();
  EXPECT_EQ(str(patched.body(), "data.extra"), "1");
  auto badType = call("PATCH", "/api/v1/namespaces/default/configmaps/a", R"({})", "text/plain");
  EXPECT_EQ(badType.status(), 415);
}

TEST_F(ApiHandlerTest, DryRunCreateStoresNothing) {
  auto created = call("POST", "/api/v1/namespaces/default/configmaps?dryRun=All",
                      R"({"metadata":{"name":"dry"}})");
  EXPECT_EQ(created.status(), 201);
  EXPECT_EQ(get("/api/v1/namespaces/default/configmaps/dry").status(), 404);
  auto invalid = call("POST", "/api/v1/namespaces/default/configmaps?dryRun=Some",
                      R"({"metadata":{"name":"dry"}})");
  EXPECT_EQ(invalid.status(), 400);
}

// --- watch ---------------------------------------------------------------------------

TEST_F(ApiHandlerTest, WatchStreamsAddedEventsUntilTheTimeout) {
  createConfigMap("before");
  Registry& cms = *handlerRegistry("", "configmaps");
  RecordingSink sink;
  auto started = std::chrono::steady_clock::now();
  run([&]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    // Another client creates an object while the watch is open.
    asio::co_spawn(
        executor,
        [&]() -> asio::awaitable<void> {
          asio::steady_timer pause(co_await asio::this_coro::executor, 200ms);
          co_await pause.async_wait(asio::use_awaitable);
          json::object obj = json::parse(R"({"metadata":{"name":"during"}})").as_object();
          const std::string ns = "default";
          WriteOptions options;
          auto created = co_await cms.create(ns, obj, options);
          EXPECT_TRUE(created.ok());
        },
        asio::detached);
    ApiRequest r = request("GET", "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1");
    co_await handler->handle(std::move(r), sink);
  });
  auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_GE(elapsed, 900ms);
  EXPECT_LT(elapsed, 5s);

  EXPECT_TRUE(sink.responses.empty());
  EXPECT_EQ(sink.streamStatus, 200);
  EXPECT_EQ(sink.streamContentType, "application/json");
  EXPECT_TRUE(sink.ended);
  std::vector<json::object> events = sink.events();
  ASSERT_EQ(events.size(), 2u) << ::testing::PrintToString(sink.chunks);
  EXPECT_EQ(str(events[0], "type"), "ADDED");
  EXPECT_EQ(str(events[0], "object.metadata.name"), "before");
  EXPECT_EQ(str(events[0], "object.kind"), "ConfigMap");
  EXPECT_EQ(str(events[1], "type"), "ADDED");
  EXPECT_EQ(str(events[1], "object.metadata.name"), "during");
  EXPECT_FALSE(str(events[1], "object.metadata.resourceVersion").empty());
}

TEST_F(ApiHandlerTest, WatchFromAResourceVersionSendsLaterChangesOnly) {
  createConfigMap("old");
  std::string rv = str(get("/api/v1/namespaces/default/configmaps").body(),
                       "metadata.resourceVersion");
  createConfigMap("new", R"({"app":"web"})");
  createConfigMap("other", R"({"app":"db"})");
  ASSERT_EQ(call("DELETE", "/api/v1/namespaces/default/configmaps/old").status(), 200);

  auto all = get("/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=1&resourceVersion=" + rv);
  std::vector<std::string> seen;
  for (const auto& ev : all.events()) {
    seen.push_back(str(ev, "type") + " " + str(ev, "object.metadata.name"));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"ADDED new", "ADDED other", "DELETED old"}));

  auto selected = get("/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=1"
                      "&labelSelector=app%3Dweb&resourceVersion=" + rv);
  std::vector<json::object> events = selected.events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(str(events[0], "object.metadata.name"), "new");
}

TEST_F(ApiHandlerTest, WatchFromTooOldResourceVersionIsAn410ErrorEvent) {
  auto sink = get("/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1&resourceVersion=1");
  EXPECT_TRUE(sink.responses.empty());
  EXPECT_EQ(sink.streamStatus, 200);
  EXPECT_TRUE(sink.ended);
  std::vector<json::object> events = sink.events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(str(events[0], "type"), "ERROR");
  const json::object& status = events[0].at("object").as_object();
  EXPECT_EQ(str(status, "kind"), "Status");
  EXPECT_EQ(str(status, "status"), "Failure");
  EXPECT_EQ(at(status, "code"), 410);
  EXPECT_EQ(str(status, "reason"), "Expired");
  // The caches started at revision 3 (two writes before them).
  EXPECT_EQ(str(status, "message"), "too old resource version: 1 (3)");
}

TEST_F(ApiHandlerTest, WatchWithBadResourceVersionIs400) {
  auto sink = get("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=abc");
  EXPECT_EQ(sink.status(), 400);
  EXPECT_EQ(str(sink.body(), "message"), "invalid resource version: abc");
  EXPECT_FALSE(sink.streamStatus.has_value());
}

}  // namespace
}  // namespace kcpp::apiserver
