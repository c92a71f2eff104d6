#include "apiserver/admission/namespacelifecycle/namespace_lifecycle.h"

#include "api/meta/object.h"
#include "api/meta/status.h"

namespace kcpp::apiserver::admission {

namespace {

bool isImmortal(std::string_view ns) {
  return ns == "default" || ns == "kube-system" || ns == "kube-public";
}

// Access reviews ask about a namespace; they need not be in one that exists.
bool isAccessReview(const Attributes& attrs) {
  return attrs.group() == "authorization.k8s.io" && attrs.resource() == "localsubjectaccessreviews";
}

}  // namespace

constexpr std::chrono::seconds kForceLiveLookup{30};

bool NamespaceLifecycle::recentlyDeleted(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  std::erase_if(deleted_, [now](const auto& kv) { return now - kv.second > kForceLiveLookup; });
  return deleted_.count(name) > 0;
}

boost::asio::awaitable<Result<std::string>> NamespaceLifecycle::namespaceJson(const std::string& name) {
  if (!recentlyDeleted(name)) {
    if (auto cached = namespaces_.cache().peek(namespaces_.key("", name))) co_return *cached->json;
  }
  const std::string clusterScope;
  auto found = co_await namespaces_.get(clusterScope, name);
  if (!found) co_return std::move(found).error();
  co_return *found->json;
}

boost::asio::awaitable<Result<void>> NamespaceLifecycle::admit(Attributes& attrs) {
  if (attrs.is("", "namespaces")) {
    if (attrs.operation == Operation::Delete) {
      if (isImmortal(attrs.name)) co_return forbidden(attrs, "this namespace may not be deleted");
      std::lock_guard lock(mutex_);
      deleted_[attrs.name] = std::chrono::steady_clock::now();
    }
    co_return Result<void>{};
  }
  if (attrs.ns.empty() || attrs.operation == Operation::Delete || isAccessReview(attrs)) {
    co_return Result<void>{};
  }
  auto found = co_await namespaceJson(attrs.ns);
  if (!found) {
    if (found.error().reason == Reason::NotFound) co_return api::notFound("namespaces", "", attrs.ns);
    co_return std::move(found).error();
  }
  if (attrs.operation != Operation::Create) co_return Result<void>{};
  auto parsed = api::parseJson(*found);
  const json::value* phase =
      parsed && parsed->is_object() ? api::findPath(parsed->get_object(), "status.phase") : nullptr;
  if (!phase || !phase->is_string() || phase->get_string() != "Terminating") {
    co_return Result<void>{};
  }
  Error e = forbidden(attrs, "unable to create new content in namespace " + attrs.ns +
                                 " because it is being terminated");
  e.causes.push_back(Cause{"NamespaceTerminating",
                           "namespace " + attrs.ns + " is being terminated", "metadata.namespace"});
  co_return e;
}

}  // namespace kcpp::apiserver::admission
