#include "apiserver/request/request_info.h"

#include <gtest/gtest.h>

namespace kcpp::apiserver {

TEST(RequestInfo, NamespacedList) {
  auto info = parseRequestInfo("GET", "/api/v1/namespaces/default/pods", {});
  EXPECT_TRUE(info.isResourceRequest);
  EXPECT_EQ(info.verb, "list");
  EXPECT_EQ(info.namespace_, "default");
  EXPECT_EQ(info.resource, "pods");
  EXPECT_EQ(info.name, "");
}

TEST(RequestInfo, GroupSubresource) {
  auto info = parseRequestInfo("PUT", "/apis/apps/v1/namespaces/ns/deployments/web/scale", {});
  EXPECT_EQ(info.apiGroup, "apps");
  EXPECT_EQ(info.apiVersion, "v1");
  EXPECT_EQ(info.verb, "update");
  EXPECT_EQ(info.name, "web");
  EXPECT_EQ(info.subresource, "scale");
}

TEST(RequestInfo, NamespaceObjectIsClusterScoped) {
  auto info = parseRequestInfo("GET", "/api/v1/namespaces/kube-system", {});
  EXPECT_EQ(info.resource, "namespaces");
  EXPECT_EQ(info.name, "kube-system");
  EXPECT_EQ(info.namespace_, "kube-system");  // as upstream, for RBAC
  EXPECT_EQ(info.verb, "get");
  auto status = parseRequestInfo("PUT", "/api/v1/namespaces/x/status", {});
  EXPECT_EQ(status.name, "x");
  EXPECT_EQ(status.subresource, "status");
  EXPECT_EQ(status.resource, "namespaces");
}

TEST(RequestInfo, WatchForms) {
  EXPECT_EQ(parseRequestInfo("GET", "/api/v1/pods", {{"watch", "true"}}).verb, "watch");
  auto legacy = parseRequestInfo("GET", "/api/v1/watch/namespaces/a/pods", {});
  EXPECT_EQ(legacy.verb, "watch");
  EXPECT_EQ(legacy.namespace_, "a");
  EXPECT_EQ(legacy.resource, "pods");
}

TEST(RequestInfo, DeleteCollectionAndDiscovery) {
  EXPECT_EQ(parseRequestInfo("DELETE", "/api/v1/namespaces/a/configmaps", {}).verb,
            "deletecollection");
  EXPECT_FALSE(parseRequestInfo("GET", "/apis/apps/v1", {}).isResourceRequest);
  EXPECT_FALSE(parseRequestInfo("GET", "/healthz", {}).isResourceRequest);
}

TEST(RequestInfo, QueryDecoding) {
  auto q = parseQuery("labelSelector=app%3Dx&limit=10&watch");
  EXPECT_EQ(q["labelSelector"], "app=x");
  EXPECT_EQ(q["limit"], "10");
  EXPECT_EQ(q.count("watch"), 1u);
}

}  // namespace kcpp::apiserver

namespace kcpp::apiserver {

TEST(RequestInfo, QueryNotNulTerminated) {
  std::string buffer = "limit=500XXXX";
  auto q = parseQuery(std::string_view(buffer).substr(0, 9));
  EXPECT_EQ(q["limit"], "500");
}

}  // namespace kcpp::apiserver

namespace kcpp::apiserver {

TEST(RequestInfo, ListPinnedToOneNameIsAuthorizedAsThatName) {
  QueryParams q{{"fieldSelector", "metadata.name=cfg"}, {"watch", "true"}};
  RequestInfo info = parseRequestInfo("GET", "/api/v1/namespaces/a/configmaps", q);
  EXPECT_EQ(info.verb, "watch");
  EXPECT_EQ(info.name, "cfg");
  EXPECT_EQ(info.fieldSelector, "metadata.name=cfg");
  QueryParams neq{{"fieldSelector", "metadata.name!=cfg"}};
  EXPECT_EQ(parseRequestInfo("GET", "/api/v1/namespaces/a/configmaps", neq).name, "");
}

TEST(RequestInfo, FieldSelectorExactMatch) {
  EXPECT_EQ(fieldSelectorExactMatch("spec.nodeName=n1", "spec.nodeName"), "n1");
  EXPECT_EQ(fieldSelectorExactMatch("a=b,spec.nodeName==n2", "spec.nodeName"), "n2");
  EXPECT_EQ(fieldSelectorExactMatch("spec.nodeName!=n1", "spec.nodeName"), "");
  EXPECT_EQ(fieldSelectorExactMatch("", "spec.nodeName"), "");
  EXPECT_EQ(fieldSelectorExactMatch("spec.nodeNameX=n1", "spec.nodeName"), "");
}

}  // namespace kcpp::apiserver
