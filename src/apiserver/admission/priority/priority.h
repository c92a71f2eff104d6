#pragma once
// Priority (upstream plugin/pkg/admission/priority):
//  - a new pod's spec.priorityClassName is resolved to spec.priority and
//    spec.preemptionPolicy from its PriorityClass (the globalDefault class, or
//    priority 0, when it names none); a missing class, or a priority or
//    preemption policy the pod sets itself that differs, is refused;
//  - updates keep the priority the pod was created with;
//  - only one PriorityClass may be the global default.
// As in upstream since v1.17, the system-* classes may be used in any namespace.

#include "apiserver/admission/admission.h"
#include "apiserver/registry/registry.h"

namespace kcpp::apiserver::admission {

class Priority : public Plugin {
 public:
  explicit Priority(Registry& priorityClasses) : priorityClasses_(priorityClasses) {}
  std::string_view name() const override { return "Priority"; }
  boost::asio::awaitable<Result<void>> admit(Attributes& attrs) override;
  boost::asio::awaitable<Result<void>> validate(const Attributes& attrs) override;

 private:
  boost::asio::awaitable<Result<void>> admitNewPod(Attributes& attrs);
  // The global default class with the lowest value (several may exist after
  // races); null when there is none.
  boost::asio::awaitable<Result<std::optional<json::object>>> defaultClass();

  Registry& priorityClasses_;
};

}  // namespace kcpp::apiserver::admission
