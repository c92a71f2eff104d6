#pragma once
// NamespaceLifecycle (upstream plugin/pkg/admission/namespace/lifecycle): nothing
// is created in a namespace that does not exist or is being deleted, and the
// system namespaces (default, kube-system, kube-public) cannot be deleted.

#include "apiserver/admission/admission.h"
#include "apiserver/registry/registry.h"

namespace kcpp::apiserver::admission {

class NamespaceLifecycle : public Plugin {
 public:
  explicit NamespaceLifecycle(Registry& namespaces) : namespaces_(namespaces) {}
  std::string_view name() const override { return "NamespaceLifecycle"; }
  // Upstream's Lifecycle is a mutating plugin: it runs first, so a write into a
  // missing namespace is a 404 before later plugins (ServiceAccount) look
  // anything up there. It checks again when validating.
  boost::asio::awaitable<Result<void>> admit(Attributes& attrs) override {
    co_return co_await validate(attrs);
  }
  boost::asio::awaitable<Result<void>> validate(const Attributes& attrs) override;

 private:
  Registry& namespaces_;
};

}  // namespace kcpp::apiserver::admission
