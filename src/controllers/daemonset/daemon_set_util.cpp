// Small helpers the DaemonSet controller's files share.
#include <algorithm>
#include <cmath>

#include "api/meta/object.h"
#include "controllers/daemonset/daemon_set_controller.h"

namespace kcpp::controllers::daemon {

std::string str(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

std::int64_t num(const json::object& obj, std::string_view path, std::int64_t fallback) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_int64() ? v->get_int64() : fallback;
}

bool beingDeleted(const json::object& obj) {
  return api::findPath(obj, "metadata.deletionTimestamp") != nullptr;
}

std::optional<std::int64_t> templateGeneration(const json::object& ds) {
  const json::object* meta = api::findObject(ds, "metadata");
  const json::object* annotations = meta ? api::findObject(*meta, "annotations") : nullptr;
  if (!annotations) return std::nullopt;
  std::string value(api::getString(*annotations, "deprecated.daemonset.template.generation"));
  try {
    return value.empty() ? std::nullopt : std::optional<std::int64_t>(std::stoll(value));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool isPodUpdated(const json::object& pod, const std::string& hash, std::optional<std::int64_t> generation) {
  auto labels = api::metaLabels(pod);
  bool templateMatches = generation && labels["pod-template-generation"] == std::to_string(*generation);
  bool hashMatches = !hash.empty() && labels["controller-revision-hash"] == hash;
  return hashMatches || templateMatches;
}

void sortByAge(std::vector<PodPtr>& pods) {
  std::stable_sort(pods.begin(), pods.end(), [](const PodPtr& a, const PodPtr& b) {
    std::string ca = str(*a, "metadata.creationTimestamp");
    std::string cb = str(*b, "metadata.creationTimestamp");
    if (ca != cb) return ca < cb;  // RFC 3339 in UTC sorts as text
    return str(*a, "metadata.name") < str(*b, "metadata.name");
  });
}

bool isRollingUpdate(const json::object& ds) {
  std::string type = str(ds, "spec.updateStrategy.type");
  return type.empty() || type == "RollingUpdate";
}

int scaledUpdateValue(const json::object& ds, std::string_view field, int total, int fallback) {
  if (!isRollingUpdate(ds)) return 0;
  std::string path = "spec.updateStrategy.rollingUpdate." + std::string(field);
  const json::value* v = api::findPath(ds, path);
  if (!v) return fallback;
  if (v->is_int64()) return static_cast<int>(v->get_int64());
  if (v->is_string()) {
    std::string s(v->get_string());
    if (s.ends_with("%")) {
      try {
        double pct = std::stod(s.substr(0, s.size() - 1));
        return static_cast<int>(std::ceil(pct * total / 100.0));
      } catch (const std::exception&) {
        return fallback;
      }
    }
    try {
      return std::stoi(s);
    } catch (const std::exception&) {
      return fallback;
    }
  }
  return fallback;
}

}  // namespace kcpp::controllers::daemon
