// The legacy rollback (upstream's rollback.go): the
// "deprecated.deployment.rollback.to" annotation (extensions/v1beta1's
// spec.rollbackTo) asks for the template of a revision (0: the previous one).
// Modern kubectl rolls back client side by patching the template; this keeps
// old clients working.
#include "api/meta/object.h"
#include "controllers/deployment/deployment_controller.h"

namespace kcpp::controllers {

namespace asio = boost::asio;
using namespace deployment;

namespace {

// The second highest revision (upstream's LastRevision).
std::int64_t previousRevision(const RsList& rss) {
  std::int64_t highest = 0, second = 0;
  for (const RsPtr& rs : rss) {
    if (!rs) continue;
    std::int64_t v = revisionOf(*rs);
    if (v > highest) {
      second = highest;
      highest = v;
    } else if (v > second && v < highest) {
      second = v;
    }
  }
  return second;
}

bool skippedOnRollback(std::string_view key) {
  return key == kLastAppliedAnnotation || key == kRevisionAnnotation || key == kRevisionHistoryAnnotation ||
         key == kDesiredReplicasAnnotation || key == kMaxReplicasAnnotation || key == kRollbackToAnnotation;
}

// The deployment takes the RS's template (without the hash label) and its annotations.
void takeTemplateOf(json::object& d, const json::object& rs) {
  json::object templ = api::findPath(rs, "spec.template")->get_object();
  if (json::object* meta = api::findObject(templ, "metadata")) {
    if (json::object* labels = api::findObject(*meta, "labels")) labels->erase(kPodTemplateHashLabel);
  }
  api::ensureObject(d, "spec")["template"] = std::move(templ);
  json::object kept;
  const json::value* current = api::findPath(d, "metadata.annotations");
  if (current && current->is_object()) {
    for (const auto& kv : current->get_object()) {
      if (skippedOnRollback(kv.key())) kept[kv.key()] = kv.value();
    }
  }
  const json::value* fromRS = api::findPath(rs, "metadata.annotations");
  if (fromRS && fromRS->is_object()) {
    for (const auto& kv : fromRS->get_object()) {
      if (!skippedOnRollback(kv.key())) kept[kv.key()] = kv.value();
    }
  }
  api::ensureObject(d, "metadata")["annotations"] = std::move(kept);
}

}  // namespace

asio::awaitable<Result<void>> DeploymentController::rollback(json::object& d, const RsList& rss) {
  auto sets = co_await replicaSetsAndSyncRevision(d, rss, true);
  if (!sets) co_return std::move(sets).error();
  RsList all = sets->oldRSs;
  all.push_back(sets->newRS);
  std::int64_t target = 0;
  try {
    target = std::stoll(annotation(d, kRollbackToAnnotation));
  } catch (const std::exception&) {
    target = -1;  // unparsable: ignored, as upstream
  }
  if (target == 0) target = previousRevision(all);
  bool found = false;
  if (target > 0) {
    for (const RsPtr& rs : all) {
      if (!rs || revisionOf(*rs) != target) continue;
      found = true;
      const json::value* rsTemplate = api::findPath(*rs, "spec.template");
      const json::value* dTemplate = api::findPath(d, "spec.template");
      if (rsTemplate && dTemplate && rsTemplate->is_object() && dTemplate->is_object() &&
          !equalIgnoreHash(rsTemplate->get_object(), dTemplate->get_object())) {
        takeTemplateOf(d, *rs);
        events_.record(d, "Normal", "DeploymentRollback",
                       "Rolled back deployment \"" + std::string(api::metaName(d)) + "\" to revision " +
                           std::to_string(target));
      } else {
        events_.record(d, "Warning", "DeploymentRollbackTemplateUnchanged",
                       "The rollback revision contains the same template as current deployment \"" +
                           std::string(api::metaName(d)) + "\"");
      }
      break;
    }
  }
  if (!found && target >= 0) {
    events_.record(d, "Warning", "RollbackRevisionNotFound",
                   target == 0 ? "Unable to find last revision." : "Unable to find the revision to rollback to.");
  }
  if (json::value* annotations = d["metadata"].as_object().if_contains("annotations"); annotations && annotations->is_object()) {
    annotations->get_object().erase(kRollbackToAnnotation);
  }
  const client::ResourcePath path =
      deploymentPath(stringAt(d, "metadata.namespace"), std::string(api::metaName(d)));
  auto written = co_await client_.update(path, d);
  if (!written) co_return std::move(written).error();
  co_return Result<void>{};
}

}  // namespace kcpp::controllers
