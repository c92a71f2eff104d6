#pragma once
// DefaultStorageClass (upstream plugin/pkg/admission/storage/storageclass/setdefault):
// a new PersistentVolumeClaim that names no class (neither spec.storageClassName,
// even "", nor the beta volume.beta.kubernetes.io/storage-class annotation)
// gets the default StorageClass: the one annotated
// storageclass.kubernetes.io/is-default-class: "true" (or the beta key), the
// newest when several are.

#include "apiserver/admission/admission.h"
#include "apiserver/registry/registry.h"

namespace kcpp::apiserver::admission {

class DefaultStorageClass : public Plugin {
 public:
  explicit DefaultStorageClass(Registry& storageClasses) : storageClasses_(storageClasses) {}
  std::string_view name() const override { return "DefaultStorageClass"; }
  boost::asio::awaitable<Result<void>> admit(Attributes& attrs) override;

 private:
  Registry& storageClasses_;
};

}  // namespace kcpp::apiserver::admission
