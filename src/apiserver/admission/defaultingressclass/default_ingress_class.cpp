#include "apiserver/admission/defaultingressclass/default_ingress_class.h"

#include "api/meta/object.h"
#include "apiserver/admission/listing/listing.h"

namespace kcpp::apiserver::admission {

namespace {

bool namesAClass(const json::object& ingress) {
  const json::object* spec = api::findObject(ingress, "spec");
  const json::value* name = spec ? spec->if_contains("ingressClassName") : nullptr;
  if (name && !name->is_null()) return true;
  const json::object* meta = api::findObject(ingress, "metadata");
  const json::object* annotations = meta ? api::findObject(*meta, "annotations") : nullptr;
  return annotations && annotations->contains("kubernetes.io/ingress.class");
}

}  // namespace

boost::asio::awaitable<Result<void>> DefaultIngressClass::admit(Attributes& attrs) {
  bool applies = attrs.is("networking.k8s.io", "ingresses") && attrs.subresource.empty() &&
                 attrs.operation == Operation::Create && attrs.object;
  if (!applies || namesAClass(*attrs.object)) co_return Result<void>{};
  const std::string clusterScope;
  auto classes = co_await listObjects(ingressClasses_, clusterScope);
  if (!classes) co_return forbidden(attrs, classes.error().message);
  auto chosen =
      newestMarkedDefault(std::move(*classes), {"ingressclass.kubernetes.io/is-default-class"});
  if (!chosen) co_return Result<void>{};
  api::ensureObject(*attrs.object, "spec")["ingressClassName"] = api::metaName(*chosen);
  co_return Result<void>{};
}

}  // namespace kcpp::apiserver::admission
