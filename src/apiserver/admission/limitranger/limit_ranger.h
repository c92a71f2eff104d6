#pragma once
// LimitRanger (upstream plugin/pkg/admission/limitranger): the LimitRange
// objects of a namespace give its pods default requests and limits (mutating,
// on create) and bound what pods and PersistentVolumeClaims may ask for
// (validating). Pod updates are not checked, as upstream: their containers'
// resources cannot change. The rules themselves are in limit_rules.h.

#include "apiserver/admission/admission.h"
#include "apiserver/registry/registry.h"

namespace kcpp::apiserver::admission {

class LimitRanger : public Plugin {
 public:
  explicit LimitRanger(Registry& limitRanges) : limitRanges_(limitRanges) {}
  std::string_view name() const override { return "LimitRanger"; }
  boost::asio::awaitable<Result<void>> admit(Attributes& attrs) override;
  boost::asio::awaitable<Result<void>> validate(const Attributes& attrs) override;

 private:
  // The namespace's LimitRanges, in name order.
  boost::asio::awaitable<Result<std::vector<json::object>>> limitRangesOf(const Attributes& attrs);

  Registry& limitRanges_;
};

}  // namespace kcpp::apiserver::admission
