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

boost::asio::awaitable<Result<void>> NamespaceLifecycle::validate(const Attributes& attrs) {
  if (attrs.is("", "namespaces")) {
    if (attrs.operation == Operation::Delete && isImmortal(attrs.name)) {
      co_return forbidden(attrs, "this namespace may not be deleted");
    }
    co_return Result<void>{};
  }
  if (attrs.ns.empty() || attrs.operation == Operation::Delete || isAccessReview(attrs)) {
    co_return Result<void>{};
  }
  const std::string clusterScope;
  auto found = co_await namespaces_.get(clusterScope, attrs.ns);
  if (!found) {
    if (found.error().reason == Reason::NotFound) co_return api::notFound("namespaces", "", attrs.ns);
    co_return std::move(found).error();
  }
  if (attrs.operation != Operation::Create) co_return Result<void>{};
  auto parsed = api::parseJson(*found->json);
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
