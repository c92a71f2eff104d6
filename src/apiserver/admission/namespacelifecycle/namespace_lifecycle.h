#pragma once
// NamespaceLifecycle (upstream plugin/pkg/admission/namespace/lifecycle): nothing
// is created in a namespace that does not exist or is being deleted, and the
// system namespaces (default, kube-system, kube-public) cannot be deleted.

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "apiserver/admission/admission.h"
#include "apiserver/registry/registry.h"

namespace kcpp::apiserver::admission {

class NamespaceLifecycle : public Plugin {
 public:
  explicit NamespaceLifecycle(Registry& namespaces) : namespaces_(namespaces) {}
  std::string_view name() const override { return "NamespaceLifecycle"; }
  // Upstream's Lifecycle is a mutating plugin: it runs first, so a write into a
  // missing namespace is a 404 before later plugins (ServiceAccount) look
  // anything up there.
  boost::asio::awaitable<Result<void>> admit(Attributes& attrs) override;

 private:
  // The namespace as the cache holds it, or (when the cache may be behind: not
  // there, or deleted moments ago) as the store holds it, as upstream reads its
  // informer first and the API only then.
  boost::asio::awaitable<Result<std::string>> namespaceJson(const std::string& name);
  bool recentlyDeleted(const std::string& name);

  Registry& namespaces_;
  std::mutex mutex_;  // admission runs on every server thread
  // Namespaces this server was asked to delete, and when (upstream keeps them
  // 30 s in its forceLiveLookup cache).
  std::map<std::string, std::chrono::steady_clock::time_point> deleted_;
};

}  // namespace kcpp::apiserver::admission
