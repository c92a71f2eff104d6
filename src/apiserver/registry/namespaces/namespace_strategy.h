#pragma once
// Namespaces (upstream pkg/registry/core/namespace): phase Active on create, the
// "kubernetes" finalizer in spec.finalizers, the kubernetes.io/metadata.name
// label, and deletion that first turns the namespace Terminating until its
// content is gone and spec.finalizers is empty (through /finalize).

#include "apiserver/registry/strategy.h"

namespace kcpp::apiserver {

class NamespaceStrategy : public Strategy {
 public:
  void prepareForCreate(json::object& obj) const override;
  void prepareForUpdate(json::object& obj, const json::object& old) const override;
  bool keepOnDelete(json::object& obj) const override;
};

}  // namespace kcpp::apiserver
