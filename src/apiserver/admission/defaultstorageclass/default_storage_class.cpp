#include "apiserver/admission/defaultstorageclass/default_storage_class.h"

#include "api/meta/object.h"
#include "apiserver/admission/listing/listing.h"

namespace kcpp::apiserver::admission {

namespace {

bool namesAClass(const json::object& pvc) {
  const json::object* meta = api::findObject(pvc, "metadata");
  const json::object* annotations = meta ? api::findObject(*meta, "annotations") : nullptr;
  if (annotations && annotations->contains("volume.beta.kubernetes.io/storage-class")) return true;
  const json::object* spec = api::findObject(pvc, "spec");
  const json::value* name = spec ? spec->if_contains("storageClassName") : nullptr;
  return name && !name->is_null();
}

}  // namespace

boost::asio::awaitable<Result<void>> DefaultStorageClass::admit(Attributes& attrs) {
  bool applies = attrs.is("", "persistentvolumeclaims") && attrs.subresource.empty() &&
                 attrs.operation == Operation::Create && attrs.object;
  if (!applies || namesAClass(*attrs.object)) co_return Result<void>{};
  const std::string clusterScope;
  auto classes = co_await listObjects(storageClasses_, clusterScope);
  if (!classes) co_return forbidden(attrs, classes.error().message);
  auto chosen = newestMarkedDefault(std::move(*classes),
                                    {"storageclass.kubernetes.io/is-default-class",
                                     "storageclass.beta.kubernetes.io/is-default-class"});
  if (!chosen) co_return Result<void>{};
  api::ensureObject(*attrs.object, "spec")["storageClassName"] = api::metaName(*chosen);
  co_return Result<void>{};
}

}  // namespace kcpp::apiserver::admission
