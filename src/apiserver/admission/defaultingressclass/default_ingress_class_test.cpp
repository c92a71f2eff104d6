#include "apiserver/admission/defaultingressclass/default_ingress_class.h"

#include "apiserver/registry/registry_test_fixture.h"

namespace kcpp::apiserver::registry_testing {
namespace {

class DefaultIngressClassTest : public RegistryTest {
 protected:
  void SetUp() override {
    classes = &add("networking.k8s.io", "ingressclasses");
    ingresses = &add("networking.k8s.io", "ingresses");
    std::vector<admission::PluginPtr> plugins;
    plugins.push_back(std::make_unique<admission::DefaultIngressClass>(*classes));
    chain = std::make_unique<admission::Chain>(std::move(plugins));
    ingresses->setAdmission(*chain);
    asUser.requester.user = &user;
  }

  void ingressClass(const std::string& name, bool isDefault) {
    json::object ic = parse(R"({"metadata":{"annotations":{}},"spec":{"controller":"x.io/c"}})");
    ic["metadata"].as_object()["name"] = name;
    if (isDefault) {
      ic["metadata"].as_object()["annotations"].as_object()
          ["ingressclass.kubernetes.io/is-default-class"] = "true";
    }
    create(*classes, "", ic);
  }

  json::object ingress(const std::string& extraSpec = "{}", const std::string& meta = "{}") {
    json::object ing = parse(R"({"metadata":{},"spec":{"defaultBackend":{"service":
                                 {"name":"s","port":{"number":80}}}}})");
    ing["metadata"] = parse(meta);
    ing["metadata"].as_object()["name"] = "i" + std::to_string(++made_);
    for (const auto& [k, v] : parse(extraSpec)) ing["spec"].as_object()[k] = v;
    auto created = await(ingresses->create(ns, ing, asUser));
    EXPECT_TRUE(created.ok()) << created.error().message;
    return created ? *created : json::object();
  }

  int made_ = 0;
  Registry* classes = nullptr;
  Registry* ingresses = nullptr;
  std::unique_ptr<admission::Chain> chain;
  UserInfo user{"alice", "", {"system:authenticated"}};
  WriteOptions asUser;
};

TEST_F(DefaultIngressClassTest, SetsTheDefaultClass) {
  ingressClass("other", false);
  EXPECT_TRUE(at(ingress(), "spec.ingressClassName").is_null());
  ingressClass("nginx", true);
  EXPECT_EQ(str(ingress(), "spec.ingressClassName"), "nginx");
}

TEST_F(DefaultIngressClassTest, ExplicitClassOrAnnotationIsKept) {
  ingressClass("nginx", true);
  EXPECT_EQ(str(ingress(R"({"ingressClassName":"traefik"})"), "spec.ingressClassName"), "traefik");
  EXPECT_TRUE(at(ingress("{}", R"({"annotations":{"kubernetes.io/ingress.class":"old"}})"),
                 "spec.ingressClassName")
                  .is_null());
}

}  // namespace
}  // namespace kcpp::apiserver::registry_testing
