#include "apiserver/registry/jobs/job_strategy.h"

#include "api/meta/object.h"

namespace kcpp::apiserver {

namespace {

constexpr const char* kControllerUid = "batch.kubernetes.io/controller-uid";
constexpr const char* kJobName = "batch.kubernetes.io/job-name";
constexpr const char* kLegacyControllerUid = "controller-uid";
constexpr const char* kLegacyJobName = "job-name";

void setIfAbsent(json::object& labels, const char* key, std::string_view value) {
  if (!labels.contains(key)) labels[key] = value;
}

bool manualSelector(const json::object& job) {
  const json::value* v = api::findPath(job, "spec.manualSelector");
  return v && v->is_bool() && v->get_bool();
}

}  // namespace

void generateJobSelector(json::object& job) {
  std::string uid(api::getString(api::ensureObject(job, "metadata"), "uid"));
  std::string name(api::metaName(job));
  json::object& spec = api::ensureObject(job, "spec");
  json::object& labels =
      api::ensureObject(api::ensureObject(api::ensureObject(spec, "template"), "metadata"), "labels");
  setIfAbsent(labels, kJobName, name);
  setIfAbsent(labels, kControllerUid, uid);
  setIfAbsent(labels, kLegacyJobName, name);
  setIfAbsent(labels, kLegacyControllerUid, uid);
  json::object& matchLabels = api::ensureObject(api::ensureObject(spec, "selector"), "matchLabels");
  setIfAbsent(matchLabels, kControllerUid, uid);
}

void JobStrategy::prepareForCreate(json::object& obj) const {
  if (!manualSelector(obj)) generateJobSelector(obj);
}

}  // namespace kcpp::apiserver
