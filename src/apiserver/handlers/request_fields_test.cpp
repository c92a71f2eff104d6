// Field validation (fieldValidation=Strict|Warn|Ignore) and the OpenAPI routes of
// ApiHandler, without sockets, over real registries and the in-memory store.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "apiserver/handlers/api_handler.h"
#include "apiserver/registry/namespaces/namespace_strategy.h"
#include "apiserver/registry/pods/pod_strategy.h"
#include "storage/memory/memory_store.h"

namespace kcpp::apiserver {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

class Recorder : public ResponseSink {
 public:
  asio::awaitable<void> respond(ApiResponse r) override {
    response = std::move(r);
    co_return;
  }
  asio::awaitable<bool> startStream(int, std::string) override { co_return false; }
  asio::awaitable<bool> writeChunk(std::string) override { co_return false; }
  asio::awaitable<void> endStream() override { co_return; }

  std::string header(std::string_view name) const {
    for (const auto& [k, v] : response.headers) {
      if (k == name) return v;
    }
    return "";
  }
  std::string message() const { return std::string(json::parse(response.body).at("message").as_string()); }

  ApiResponse response;
};

class RequestFieldsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto set = api::SchemaSet::loadBuiltin();
    ASSERT_TRUE(set) << set.error().message;
    schemas = std::make_unique<api::SchemaSet>(std::move(*set));
    openApi = std::make_unique<OpenApiDocuments>(*schemas, api::builtinResources());
    for (api::ResourceType& type : api::builtinResources()) {
      StrategyPtr strategy;
      if (type.group.empty() && type.resource == "namespaces") strategy = std::make_unique<NamespaceStrategy>();
      if (type.group.empty() && type.resource == "pods") strategy = std::make_unique<PodStrategy>();
      registries.push_back(std::make_unique<Registry>(std::move(type), store, std::move(strategy)));
    }
    run([&]() -> asio::awaitable<void> {
      for (auto& r : registries) EXPECT_TRUE((co_await r->start()).ok());
    });
    handler = std::make_unique<ApiHandler>(ApiHandlerOptions{}, authorizer);
    for (auto& r : registries) handler->addRegistry(*r);
    handler->setSchemas(*schemas, *openApi);
    handler->setReady(true);
    ASSERT_EQ(call("POST", "/api/v1/namespaces", R"({"metadata":{"name":"default"}})").response.status, 201);
  }

  template <class Body>
  void run(Body body) {
    auto done = asio::co_spawn(io, std::move(body), asio::use_future);
    io.restart();
    io.run();
    done.get();
  }

  Recorder call(const std::string& method, const std::string& target, std::string body = "",
                std::string contentType = "application/json") {
    ApiRequest r;
    r.method = method;
    auto q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = parseQuery(std::string_view(target).substr(q + 1));
    r.body = std::move(body);
    r.contentType = std::move(contentType);
    r.user = UserInfo{"admin", "", {"system:masters"}};
    Recorder sink;
    run([&]() -> asio::awaitable<void> { co_await handler->handle(std::move(r), sink); });
    return sink;
  }

  static constexpr const char* kBadPod =
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"contaners":[],
          "containers":[{"name":"c","image":"i","imagee":"x"}]}})";

  asio::io_context io;
  storage::MemoryStore store;
  PrivilegedGroupAuthorizer authorizer{"system:masters"};
  std::unique_ptr<api::SchemaSet> schemas;
  std::unique_ptr<OpenApiDocuments> openApi;
  std::vector<RegistryPtr> registries;
  std::unique_ptr<ApiHandler> handler;
};

TEST_F(RequestFieldsTest, StrictRejectsUnknownFields) {
  auto r = call("POST", "/api/v1/namespaces/default/pods?fieldValidation=Strict", kBadPod);
  EXPECT_EQ(r.response.status, 400);
  EXPECT_EQ(r.message(), "Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: "
                         "unknown field \"spec.contaners\", unknown field \"spec.containers[0].imagee\"");
}

TEST_F(RequestFieldsTest, WarnByDefaultAndDropsUnknownFields) {
  auto r = call("POST", "/api/v1/namespaces/default/pods", kBadPod);
  EXPECT_EQ(r.response.status, 201);
  EXPECT_EQ(r.header("Warning"), R"(299 - "unknown field \"spec.contaners\"", )"
                                 R"(299 - "unknown field \"spec.containers[0].imagee\"")");
  json::object pod = json::parse(r.response.body).as_object();
  EXPECT_FALSE(pod.at("spec").as_object().contains("contaners"));
  EXPECT_FALSE(pod.at("spec").at("containers").at(0).as_object().contains("imagee"));
}

TEST_F(RequestFieldsTest, IgnoreSaysNothing) {
  auto r = call("POST", "/api/v1/namespaces/default/pods?fieldValidation=Ignore", kBadPod);
  EXPECT_EQ(r.response.status, 201);
  EXPECT_EQ(r.header("Warning"), "");
}

TEST_F(RequestFieldsTest, TypeErrorsFailWhateverTheDirective) {
  auto r = call("POST", "/api/v1/namespaces/default/pods?fieldValidation=Ignore",
                R"({"metadata":{"name":"p"},"spec":{"hostNetwork":"yes","containers":[{"name":"c","image":"i"}]}})");
  EXPECT_EQ(r.response.status, 400);
  EXPECT_EQ(r.message(), "Pod in version \"v1\" cannot be handled as a Pod: json: cannot unmarshal string "
                         "into Go struct field PodSpec.spec.hostNetwork of type bool");
}

TEST_F(RequestFieldsTest, DuplicateFields) {
  auto r = call("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Strict",
                R"({"metadata":{"name":"a","name":"b"},"data":{"k":"v"}})");
  EXPECT_EQ(r.response.status, 400);
  EXPECT_EQ(r.message(), "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding "
                         "error: duplicate field \"metadata.name\"");
}

TEST_F(RequestFieldsTest, UnsupportedDirective) {
  auto r = call("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Loose",
                R"({"metadata":{"name":"a"}})");
  EXPECT_EQ(r.response.status, 422);
  EXPECT_EQ(r.message(), "CreateOptions.meta.k8s.io \"\" is invalid: fieldValidation: Unsupported value: "
                         "\"Loose\": supported values: \"Ignore\", \"Warn\", \"Strict\"");
}

TEST_F(RequestFieldsTest, UpdateAndPatch) {
  ASSERT_EQ(call("POST", "/api/v1/namespaces/default/configmaps", R"({"metadata":{"name":"a"}})").response.status,
            201);
  auto put = call("PUT", "/api/v1/namespaces/default/configmaps/a?fieldValidation=Strict",
                  R"({"metadata":{"name":"a"},"dta":{}})");
  EXPECT_EQ(put.response.status, 400);
  EXPECT_EQ(put.message(), "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding "
                           "error: unknown field \"dta\"");

  auto strict = call("PATCH", "/api/v1/namespaces/default/configmaps/a?fieldValidation=Strict",
                     R"({"dta":{"k":"v"}})", "application/merge-patch+json");
  EXPECT_EQ(strict.response.status, 400);
  EXPECT_EQ(strict.message(), "strict decoding error: unknown field \"dta\"");

  auto warn = call("PATCH", "/api/v1/namespaces/default/configmaps/a", R"({"dta":{"k":"v"},"data":{"k":"v"}})",
                   "application/merge-patch+json");
  EXPECT_EQ(warn.response.status, 200);
  EXPECT_EQ(warn.header("Warning"), R"(299 - "unknown field \"dta\"")");
  json::object cm = json::parse(warn.response.body).as_object();
  EXPECT_FALSE(cm.contains("dta"));
  EXPECT_EQ(cm.at("data").at("k"), "v");

  auto deletion = call("PATCH", "/api/v1/namespaces/default/configmaps/a?fieldValidation=Strict",
                       R"({"data":{"k":null},"nosuch":null})", "application/merge-patch+json");
  EXPECT_EQ(deletion.response.status, 200) << deletion.response.body;
}

TEST_F(RequestFieldsTest, ServesOpenApiV3) {
  auto index = call("GET", "/openapi/v3");
  EXPECT_EQ(index.response.status, 200);
  EXPECT_EQ(index.response.body, openApi->index());
  const std::string& hash = openApi->document("api/v1")->hash;
  auto doc = call("GET", "/openapi/v3/api/v1?hash=" + hash);
  EXPECT_EQ(doc.response.status, 200);
  EXPECT_EQ(doc.header("Cache-Control"), "public, immutable");
  EXPECT_EQ(doc.header("Etag"), "\"" + hash + "\"");
  EXPECT_EQ(call("GET", "/openapi/v3/apis/nope/v1").response.status, 404);
}

}  // namespace
}  // namespace kcpp::apiserver
