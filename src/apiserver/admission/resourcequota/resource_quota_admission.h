#pragma once
// ResourceQuota (upstream plugin/pkg/admission/resourcequota): a create (or an
// update that adds usage) in a namespace must fit every ResourceQuota there that
// tracks what the object uses; if it fits, the quotas' status.used is charged
// before the object is written, with resourceVersion preconditions, so that
// concurrent creates can never together pass a limit. Dry runs check only.
//
// The charge is undone by the quota controller (controllers/resourcequota), which
// recomputes usage when objects go away, as upstream splits the work.

#include "apiserver/admission/admission.h"
#include "apiserver/admission/resourcequota/keyed_mutex.h"
#include "apiserver/admission/resourcequota/quota_accessor.h"
#include "quota/evaluator.h"

namespace kcpp::apiserver::admission {

class ResourceQuotaAdmission : public Plugin {
 public:
  explicit ResourceQuotaAdmission(QuotaAccessorPtr quotas) : quotas_(std::move(quotas)) {}
  explicit ResourceQuotaAdmission(Registry& quotas)
      : ResourceQuotaAdmission(std::make_unique<RegistryQuotaAccessor>(quotas)) {}
  std::string_view name() const override { return "ResourceQuota"; }
  boost::asio::awaitable<Result<void>> validate(const Attributes& attrs) override;

 private:
  struct StoredQuota {
    json::object object;
    quota::ResourceQuota parsed;
  };
  // The namespace's quotas (a consistent read), or only those named in `only`.
  boost::asio::awaitable<Result<std::vector<StoredQuota>>> listQuotas(
      const std::string& ns, const std::vector<std::string>* only);
  // Writes the new status.used; a Conflict when the quota changed since read.
  boost::asio::awaitable<Result<void>> charge(const StoredQuota& stored,
                                              const quota::ResourceList& used);

  QuotaAccessorPtr quotas_;
  quota::EvaluatorRegistry evaluators_;
  KeyedMutex namespaces_;
};

}  // namespace kcpp::apiserver::admission
