#include "strategies.h"

#include "apiserver/registry/certificates/csr_strategy.h"
#include "apiserver/registry/jobs/job_strategy.h"
#include "apiserver/registry/namespaces/namespace_strategy.h"
#include "apiserver/registry/pods/pod_strategy.h"
#include "apiserver/registry/secrets/secret_strategy.h"
#include "apiserver/registry/services/service_strategy.h"

namespace kcpp::cmd {

apiserver::StrategyPtr strategyFor(const std::string& group, const std::string& resource,
                                   const StrategyConfig& config) {
  if (group.empty() && resource == "namespaces") {
    return std::make_unique<apiserver::NamespaceStrategy>();
  }
  if (group.empty() && resource == "pods") return std::make_unique<apiserver::PodStrategy>();
  if (group.empty() && resource == "secrets") return std::make_unique<apiserver::SecretStrategy>();
  if (group.empty() && resource == "services") {
    return std::make_unique<apiserver::ServiceStrategy>(config.serviceCidr,
                                                        config.serviceNodePortRange);
  }
  if (group == "batch" && resource == "jobs") return std::make_unique<apiserver::JobStrategy>();
  if (group == "certificates.k8s.io" && resource == "certificatesigningrequests") {
    return std::make_unique<apiserver::CsrStrategy>();
  }
  return nullptr;
}

}  // namespace kcpp::cmd
