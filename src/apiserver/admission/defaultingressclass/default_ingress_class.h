#pragma once
// DefaultIngressClass (upstream plugin/pkg/admission/network/defaultingressclass):
// a new Ingress with no spec.ingressClassName and no kubernetes.io/ingress.class
// annotation gets the default IngressClass: the one annotated
// ingressclass.kubernetes.io/is-default-class: "true", the newest when several are.

#include "apiserver/admission/admission.h"
#include "apiserver/registry/registry.h"

namespace kcpp::apiserver::admission {

class DefaultIngressClass : public Plugin {
 public:
  explicit DefaultIngressClass(Registry& ingressClasses) : ingressClasses_(ingressClasses) {}
  std::string_view name() const override { return "DefaultIngressClass"; }
  boost::asio::awaitable<Result<void>> admit(Attributes& attrs) override;

 private:
  Registry& ingressClasses_;
};

}  // namespace kcpp::apiserver::admission
