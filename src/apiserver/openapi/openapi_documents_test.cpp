#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "apiserver/openapi/openapi_documents.h"
#include "apiserver/openapi/openapi_paths.h"

namespace kcpp::apiserver {
namespace {

namespace json = boost::json;

class OpenApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto set = api::SchemaSet::loadBuiltin();
    ASSERT_TRUE(set) << set.error().message;
    schemas_ = new api::SchemaSet(std::move(*set));
    docs_ = new OpenApiDocuments(*schemas_, api::builtinResources());
  }
  static void TearDownTestSuite() {
    delete docs_;
    delete schemas_;
  }
  static json::object parsed(std::string_view key) {
    const auto* doc = docs_->document(key);
    EXPECT_NE(doc, nullptr) << key;
    return doc ? json::parse(doc->json).as_object() : json::object();
  }
  static std::string header(const OpenApiResponse& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }
  static bool hasQueryParameter(const json::object& op, std::string_view name) {
    for (const auto& p : op.at("parameters").as_array()) {
      if (p.at("name").as_string() == name && p.at("in") == "query") return true;
    }
    return false;
  }

  static api::SchemaSet* schemas_;
  static OpenApiDocuments* docs_;
};
api::SchemaSet* OpenApi::schemas_ = nullptr;
OpenApiDocuments* OpenApi::docs_ = nullptr;

TEST_F(OpenApi, IndexListsEveryDocumentWithItsHash) {
  json::object index = json::parse(docs_->index()).as_object();
  const json::object& paths = index.at("paths").as_object();
  for (const char* key : {"api", "api/v1", "apis", "apis/apps", "apis/apps/v1", "apis/batch/v1",
                          "apis/rbac.authorization.k8s.io/v1"}) {
    ASSERT_TRUE(paths.contains(key)) << key;
    EXPECT_EQ(paths.at(key).at("serverRelativeURL").as_string(),
              "/openapi/v3/" + std::string(key) + "?hash=" + docs_->document(key)->hash);
  }
  EXPECT_EQ(docs_->document("api/v1")->hash.size(), 128u);
}

TEST_F(OpenApi, CoreDocumentHasOperationsAndSchemas) {
  json::object doc = parsed("api/v1");
  EXPECT_EQ(doc.at("openapi"), "3.0.0");
  EXPECT_EQ(doc.at("info"), (json::object{{"title", "Kubernetes"}, {"version", "v1.33.0+kcpp"}}));
  const json::object& paths = doc.at("paths").as_object();
  const json::object& pods = paths.at("/api/v1/namespaces/{namespace}/pods").as_object();
  EXPECT_EQ(pods.at("post").at("operationId"), "createCoreV1NamespacedPod");
  EXPECT_EQ(pods.at("post").at("description"), "create a Pod");
  EXPECT_TRUE(hasQueryParameter(pods.at("post").as_object(), "fieldValidation"));
  EXPECT_EQ(pods.at("get").at("operationId"), "listCoreV1NamespacedPod");
  EXPECT_EQ(pods.at("get").at("responses").at("200").at("content").at("application/json").at("schema").at("$ref"),
            "#/components/schemas/io.k8s.api.core.v1.PodList");
  const json::object& pod = paths.at("/api/v1/namespaces/{namespace}/pods/{name}").as_object();
  EXPECT_TRUE(hasQueryParameter(pod.at("patch").as_object(), "fieldValidation"));
  EXPECT_TRUE(hasQueryParameter(pod.at("put").as_object(), "fieldValidation"));
  EXPECT_EQ(pod.at("patch").at("x-kubernetes-group-version-kind"),
            (json::object{{"group", ""}, {"kind", "Pod"}, {"version", "v1"}}));
  EXPECT_EQ(pod.at("patch").at("x-kubernetes-action"), "patch");
  EXPECT_TRUE(pod.at("patch").at("requestBody").at("content").as_object().contains(
      "application/strategic-merge-patch+json"));
  EXPECT_EQ(pod.at("get").at("operationId"), "readCoreV1NamespacedPod");
  EXPECT_EQ(paths.at("/api/v1/namespaces/{namespace}/pods/{name}/status").at("patch").at("operationId"),
            "patchCoreV1NamespacedPodStatus");
  EXPECT_EQ(paths.at("/api/v1/pods").at("get").at("operationId"), "listCoreV1PodForAllNamespaces");
  const json::object& rcScale = paths.at("/api/v1/namespaces/{namespace}/replicationcontrollers/{name}/scale").as_object();
  EXPECT_EQ(rcScale.at("put").at("x-kubernetes-group-version-kind").at("kind"), "Scale");
  EXPECT_EQ(rcScale.at("put").at("description"), "replace scale of the specified ReplicationController");
  EXPECT_EQ(paths.at("/api/v1/namespaces").at("post").at("operationId"), "createCoreV1Namespace");
  EXPECT_EQ(paths.at("/api/v1/namespaces/{namespace}/endpoints").at("post").at("description"), "create Endpoints");
  EXPECT_EQ(paths.at("/api/v1/namespaces/{namespace}/events").at("post").at("description"), "create an Event");
  EXPECT_TRUE(paths.at("/api/v1/namespaces/{name}/finalize").as_object().contains("put"));

  const json::object& schemas = doc.at("components").at("schemas").as_object();
  for (const char* name : {"io.k8s.api.core.v1.Pod", "io.k8s.api.core.v1.PodSpec", "io.k8s.api.core.v1.Probe",
                           "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
                           "io.k8s.apimachinery.pkg.apis.meta.v1.Status", "io.k8s.api.autoscaling.v1.Scale"}) {
    EXPECT_TRUE(schemas.contains(name)) << name;
  }
}

// kubectl resolves references within one document: none may dangle.
void collectRefs(const json::value& v, std::vector<std::string>& out) {
  if (v.is_object()) {
    for (const auto& kv : v.get_object()) {
      if (kv.key() == "$ref") out.emplace_back(kv.value().as_string());
      else collectRefs(kv.value(), out);
    }
  } else if (v.is_array()) {
    for (const auto& item : v.get_array()) collectRefs(item, out);
  }
}

TEST_F(OpenApi, EveryReferenceResolvesInItsDocument) {
  json::object index = json::parse(docs_->index()).as_object();
  for (const auto& kv : index.at("paths").as_object()) {
    json::object doc = parsed(kv.key());
    std::vector<std::string> refs;
    collectRefs(doc, refs);
    const json::object& schemas = doc.at("components").at("schemas").as_object();
    for (const auto& ref : refs) {
      ASSERT_TRUE(ref.starts_with("#/components/schemas/")) << ref;
      EXPECT_TRUE(schemas.contains(ref.substr(21))) << kv.key() << ": " << ref;
    }
  }
}

TEST_F(OpenApi, DiscoveryDocuments) {
  json::object api = parsed("api");
  EXPECT_EQ(api.at("paths").at("/api/").at("get").at("operationId"), "getCoreAPIVersions");
  json::object apps = parsed("apis/apps");
  EXPECT_EQ(apps.at("paths").at("/apis/apps/").at("get").at("operationId"), "getAppsAPIGroup");
  json::object rbac = parsed("apis/rbac.authorization.k8s.io");
  EXPECT_EQ(rbac.at("paths").at("/apis/rbac.authorization.k8s.io/").at("get").at("operationId"),
            "getRbacAuthorizationAPIGroup");
  EXPECT_EQ(rbac.at("paths").at("/apis/rbac.authorization.k8s.io/").at("get").at("tags").at(0),
            "rbacAuthorization");
}

TEST_F(OpenApi, ServesWithUpstreamCaching) {
  EXPECT_FALSE(docs_->serve("/api/v1", "", ""));
  EXPECT_FALSE(docs_->serve("/openapi/v3x", "", ""));
  auto index = docs_->serve("/openapi/v3", "", "application/json");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->body, docs_->index());
  EXPECT_EQ(docs_->serve("/openapi/v3/", "", "")->body, docs_->index());

  const std::string& hash = docs_->document("api/v1")->hash;
  auto plain = docs_->serve("/openapi/v3/api/v1", "", "application/json");
  EXPECT_EQ(plain->status, 200);
  EXPECT_EQ(header(*plain, "Etag"), "\"" + hash + "\"");
  EXPECT_EQ(header(*plain, "Cache-Control"), "");

  auto pinned = docs_->serve("/openapi/v3/api/v1", hash, "application/json");
  EXPECT_EQ(pinned->status, 200);
  EXPECT_EQ(pinned->contentType, "application/json");
  EXPECT_EQ(header(*pinned, "Cache-Control"), "public, immutable");
  EXPECT_EQ(header(*pinned, "Vary"), "Accept");
  EXPECT_FALSE(header(*pinned, "Expires").empty());

  auto stale = docs_->serve("/openapi/v3/api/v1", "0123", "application/json");
  EXPECT_EQ(stale->status, 301);
  EXPECT_EQ(header(*stale, "Location"), "/openapi/v3/api/v1?hash=" + hash);

  EXPECT_EQ(docs_->serve("/openapi/v3/apis/nope/v1", "", "")->status, 404);
  EXPECT_EQ(docs_->serve("/openapi/v3/api/v1", "", "application/vnd.kubernetes.protobuf")->status, 406);
}

TEST_F(OpenApi, SwaggerV2ForOldKubectl) {
  auto v2 = docs_->serve("/openapi/v2", "", "application/json");
  ASSERT_TRUE(v2);
  EXPECT_EQ(v2->status, 200);
  json::object doc = json::parse(v2->body).as_object();
  EXPECT_EQ(doc.at("swagger"), "2.0");
  const json::object& defs = doc.at("definitions").as_object();
  const json::object& spec = defs.at("io.k8s.api.core.v1.PodSpec").at("properties").as_object();
  EXPECT_EQ(spec.at("securityContext").at("$ref"), "#/definitions/io.k8s.api.core.v1.PodSecurityContext");
  EXPECT_TRUE(spec.at("securityContext").as_object().contains("description"));
  EXPECT_FALSE(spec.at("securityContext").as_object().contains("allOf"));
  EXPECT_EQ(spec.at("containers").at("items").at("$ref"), "#/definitions/io.k8s.api.core.v1.Container");
  const json::object& ios = defs.at("io.k8s.apimachinery.pkg.util.intstr.IntOrString").as_object();
  EXPECT_EQ(ios.at("type"), "string");
  EXPECT_EQ(ios.at("format"), "int-or-string");
  EXPECT_FALSE(ios.contains("oneOf"));
  EXPECT_EQ(defs.at("io.k8s.apimachinery.pkg.api.resource.Quantity").at("type"), "string");

  // kubectl <= 1.28 asks for gnostic's protobuf: Document{swagger: "2.0", info: {...}, ...}.
  auto pb = docs_->serve("/openapi/v2", "", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf");
  EXPECT_EQ(pb->contentType, "application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
  EXPECT_EQ(pb->body.substr(0, 5), std::string("\x0a\x03" "2.0", 5));
  EXPECT_NE(pb->body.find("io.k8s.api.core.v1.Pod"), std::string::npos);
  EXPECT_NE(pb->body.find("x-kubernetes-group-version-kind"), std::string::npos);
}

TEST(OpenApiNames, OperationGroupsAndTags) {
  EXPECT_EQ(openapi::operationGroup(""), "Core");
  EXPECT_EQ(openapi::operationGroup("apps"), "Apps");
  EXPECT_EQ(openapi::operationGroup("networking.k8s.io"), "Networking");
  EXPECT_EQ(openapi::operationGroup("rbac.authorization.k8s.io"), "RbacAuthorization");
  EXPECT_EQ(openapi::operationTag("", "v1"), "core_v1");
  EXPECT_EQ(openapi::operationTag("rbac.authorization.k8s.io", "v1"), "rbacAuthorization_v1");
  EXPECT_EQ(openApiHash("").substr(0, 16), "CF83E1357EEFB8BD");
}

}  // namespace
}  // namespace kcpp::apiserver
