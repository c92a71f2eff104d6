#pragma once
// DefaultTolerationSeconds (upstream plugin/pkg/admission/defaulttolerationseconds):
// a pod that does not already tolerate the node.kubernetes.io/not-ready and
// node.kubernetes.io/unreachable NoExecute taints gets tolerations for them
// lasting 300 seconds, so it is evicted from a failed node after five minutes.

#include <cstdint>

#include "apiserver/admission/admission.h"

namespace kcpp::apiserver::admission {

class DefaultTolerationSeconds : public Plugin {
 public:
  // Upstream's --default-not-ready-toleration-seconds and
  // --default-unreachable-toleration-seconds, both 300 by default.
  explicit DefaultTolerationSeconds(std::int64_t notReadySeconds = 300,
                                    std::int64_t unreachableSeconds = 300)
      : notReadySeconds_(notReadySeconds), unreachableSeconds_(unreachableSeconds) {}
  std::string_view name() const override { return "DefaultTolerationSeconds"; }
  boost::asio::awaitable<Result<void>> admit(Attributes& attrs) override;

 private:
  std::int64_t notReadySeconds_;
  std::int64_t unreachableSeconds_;
};

}  // namespace kcpp::apiserver::admission
