#pragma once
// ServiceAccount (upstream plugin/pkg/admission/serviceaccount), on pod create:
//   - a pod without spec.serviceAccountName gets "default";
//   - the service account must exist ("error looking up service account
//     <ns>/<name>: serviceaccount "<name>" not found"); the default one is
//     looked up a few times, since a controller creates it just after the
//     namespace (src/controllers/serviceaccount);
//   - unless the pod or the account turns automountServiceAccountToken off, the
//     pod gets the projected volume kube-api-access-<5 chars> (a bound token, the
//     cluster CA from kube-root-ca.crt, the namespace) mounted read-only at
//     /var/run/secrets/kubernetes.io/serviceaccount in every container and init
//     container;
//   - a pod without imagePullSecrets gets the account's;
//   - an account annotated kubernetes.io/enforce-mountable-secrets=true only
//     lets pods use the secrets it lists.
// Mirror pods (kubernetes.io/config.mirror) are not changed, and may reference
// neither service accounts nor secrets.

#include <chrono>
#include <functional>
#include <string>

#include "apiserver/admission/admission.h"
#include "apiserver/registry/registry.h"

namespace kcpp::apiserver::admission {

struct ServiceAccountAdmissionOptions {
  // Lookups of the default account before giving up (upstream: 10), 100 to
  // 200 ms apart; other accounts are looked up once.
  int defaultAccountAttempts = 10;
  std::chrono::milliseconds retryInterval{100};
  // The token volume's name suffix (upstream's 5 random characters).
  std::function<std::string()> volumeSuffix;
};

class ServiceAccountAdmission : public Plugin {
 public:
  explicit ServiceAccountAdmission(Registry& serviceAccounts,
                                   ServiceAccountAdmissionOptions options = {});
  std::string_view name() const override { return "ServiceAccount"; }
  boost::asio::awaitable<Result<void>> admit(Attributes& attrs) override;
  boost::asio::awaitable<Result<void>> validate(const Attributes& attrs) override;

 private:
  // The account, from the cache or else read (retried for "default").
  boost::asio::awaitable<Result<json::object>> lookUp(const std::string& ns,
                                                      const std::string& name);
  // The account the pod names, or upstream's forbidden error.
  boost::asio::awaitable<Result<json::object>> accountOf(const Attributes& attrs,
                                                         const std::string& name);

  Registry& serviceAccounts_;
  ServiceAccountAdmissionOptions options_;
};

}  // namespace kcpp::apiserver::admission
