#include "apiserver/admission/resourcequota/resource_quota_admission.h"

#include <algorithm>

#include "api/meta/object.h"
#include "apiserver/admission/resourcequota/quota_check.h"

namespace kcpp::apiserver::admission {

namespace {

// Upstream re-reads the quotas whose update conflicted and tries again 3 times;
// concurrent creates here wait on the namespace's lock instead, so conflicts only
// come from the quota controller or another server.
constexpr int kChargeAttempts = 4;

}  // namespace

boost::asio::awaitable<Result<std::vector<ResourceQuotaAdmission::StoredQuota>>>
ResourceQuotaAdmission::listQuotas(const std::string& ns, const std::vector<std::string>* only) {
  auto listed = co_await quotas_->listFresh(ns);
  if (!listed) co_return std::move(listed).error();
  std::vector<StoredQuota> out;
  for (json::object& obj : *listed) {
    StoredQuota stored{std::move(obj), {}};
    stored.parsed = quota::parseResourceQuota(stored.object);
    if (only && std::find(only->begin(), only->end(), stored.parsed.name) == only->end()) continue;
    out.push_back(std::move(stored));
  }
  co_return out;
}

boost::asio::awaitable<Result<void>> ResourceQuotaAdmission::charge(const StoredQuota& stored,
                                                                    const quota::ResourceList& used) {
  json::object charged = stored.object;  // its resourceVersion is the precondition
  json::object& status = api::ensureObject(charged, "status");
  status["used"] = quota::toJson(used);
  co_return co_await quotas_->updateStatus(std::move(charged));
}

boost::asio::awaitable<Result<void>> ResourceQuotaAdmission::validate(const Attributes& attrs) {
  // Subresources, cluster-scoped objects and namespaces are not quota'd.
  if (!attrs.subresource.empty() || attrs.ns.empty()) co_return Result<void>{};
  if (attrs.operation != Operation::Create && attrs.operation != Operation::Update) {
    co_return Result<void>{};
  }
  if (quota::EvaluatorRegistry::ignored(attrs.group(), attrs.resource())) co_return Result<void>{};
  const quota::Evaluator& evaluator = evaluators_.get(attrs.group(), attrs.resource());
  QuotaRequest request;
  request.operation =
      attrs.operation == Operation::Create ? quota::Operation::Create : quota::Operation::Update;
  request.object = attrs.object;
  request.oldObject = attrs.oldObject;
  if (!evaluator.handles(request.operation)) co_return Result<void>{};

  // Most namespaces have no quota: then nothing is locked, read again or charged.
  auto known = co_await quotas_->list(attrs.ns);
  if (!known) co_return std::move(known).error();
  if (known->empty()) co_return Result<void>{};
  // Charges in a namespace are made one at a time, each from the stored state.
  KeyedMutex::Guard held = co_await namespaces_.lock(attrs.ns);
  auto quotas = co_await listQuotas(attrs.ns, nullptr);
  if (!quotas) co_return std::move(quotas).error();
  Error lastError = makeError(Reason::InternalError, "resource quota evaluation failed");
  for (int attempt = 0; attempt < kChargeAttempts && !quotas->empty(); ++attempt) {
    std::vector<quota::ResourceQuota> parsed;
    for (const auto& q : *quotas) parsed.push_back(q.parsed);
    QuotaCheck check = checkRequest(std::move(parsed), request, evaluator,
                                    quota::Clock::now());
    if (!check.forbidden.empty()) co_return forbidden(attrs, check.forbidden);
    if (attrs.dryRun) co_return Result<void>{};
    std::vector<std::string> conflicted;
    for (std::size_t i = 0; i < quotas->size(); ++i) {
      const StoredQuota& stored = (*quotas)[i];
      if (quota::equals(stored.parsed.used, check.quotas[i].used)) continue;
      auto charged = co_await charge(stored, check.quotas[i].used);
      if (charged) continue;
      if (charged.error().reason != Reason::Conflict) co_return std::move(charged).error();
      conflicted.push_back(stored.parsed.name);
      lastError = std::move(charged).error();
    }
    if (conflicted.empty()) co_return Result<void>{};
    // Only the quotas that moved are checked again: the others are charged.
    quotas = co_await listQuotas(attrs.ns, &conflicted);
    if (!quotas) co_return std::move(quotas).error();
    if (quotas->empty()) co_return Result<void>{};  // deleted meanwhile
  }
  if (quotas->empty()) co_return Result<void>{};
  co_return lastError;
}

}  // namespace kcpp::apiserver::admission
