#include "kubelet/config/pod_config.h"

#include <chrono>
#include <cstdio>

#include <spdlog/spdlog.h>

#include "api/meta/object.h"

namespace kcpp::kubelet::config {

namespace {

// Annotations the kubelet itself sets: not a change of the pod (upstream's localAnnotations).
bool isLocalAnnotation(const json::string& key) {
  return key == kConfigSourceAnnotation || key == kConfigMirrorAnnotation || key == kConfigSeenAnnotation;
}

json::object annotationsWithoutLocal(const json::object& pod) {
  json::object out;
  const json::value* a = api::findPath(pod, "metadata.annotations");
  if (!a || !a->is_object()) return out;
  for (const auto& kv : a->get_object()) {
    if (!isLocalAnnotation(kv.key())) out[kv.key()] = kv.value();
  }
  return out;
}

const json::value& at(const json::object& pod, std::string_view path) {
  static const json::value kNull;
  const json::value* v = api::findPath(pod, path);
  return v ? *v : kNull;
}

// RFC3339Nano as Go prints it (trailing zeros of the fraction dropped).
std::string rfc3339Nano(std::chrono::system_clock::time_point t) {
  auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count() % 1000000000;
  std::string seconds = api::formatTime(t);
  if (nanos == 0) return seconds;
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%09lld", static_cast<long long>(nanos));
  std::string f = frac;
  while (f.back() == '0') f.pop_back();
  return seconds.substr(0, seconds.size() - 1) + f + "Z";
}

std::string uidOf(const json::object& pod) {
  const json::value& uid = at(pod, "metadata.uid");
  return uid.is_string() ? std::string(uid.get_string()) : "";
}

}  // namespace

const char* operationName(PodOperation op) {
  switch (op) {
    case PodOperation::Add: return "ADD";
    case PodOperation::Update: return "UPDATE";
    case PodOperation::Delete: return "DELETE";
    case PodOperation::Remove: return "REMOVE";
    case PodOperation::Reconcile: return "RECONCILE";
  }
  return "?";
}

bool isMirrorPod(const json::object& pod) {
  const json::value* a = api::findPath(pod, "metadata.annotations");
  return a && a->is_object() && a->get_object().contains(kConfigMirrorAnnotation);
}

bool isStaticPod(const json::object& pod) {
  const json::value* a = api::findPath(pod, "metadata.annotations");
  if (!a || !a->is_object()) return false;
  std::string_view source = api::getString(a->get_object(), kConfigSourceAnnotation);
  return !source.empty() && source != kApiSource;
}

std::string podFullName(const json::object& pod) {
  return std::string(api::metaNamespace(pod)) + "/" + std::string(api::metaName(pod));
}

bool podsDifferSemantically(const json::object& a, const json::object& b) {
  return at(a, "spec") != at(b, "spec") || at(a, "metadata.labels") != at(b, "metadata.labels") ||
         at(a, "metadata.deletionTimestamp") != at(b, "metadata.deletionTimestamp") ||
         at(a, "metadata.deletionGracePeriodSeconds") != at(b, "metadata.deletionGracePeriodSeconds") ||
         annotationsWithoutLocal(a) != annotationsWithoutLocal(b);
}

void PodConfig::setPods(const std::string& source, std::vector<json::object> pods) {
  auto& existing = bySource_[source];
  std::map<std::string, json::object> next;
  PodUpdate adds{PodOperation::Add, source, {}}, updates{PodOperation::Update, source, {}},
      deletes{PodOperation::Delete, source, {}}, removes{PodOperation::Remove, source, {}},
      reconciles{PodOperation::Reconcile, source, {}};
  std::set<std::string> names;
  for (json::object& pod : pods) {
    std::string uid = uidOf(pod);
    if (uid.empty() || next.count(uid)) continue;  // a pod without identity, or a duplicate
    // Upstream's filterInvalidPods: the first pod of a name wins.
    if (!names.insert(podFullName(pod)).second) {
      spdlog::warn("kubelet: pod {} from {} ignored: duplicate pod name", podFullName(pod), source);
      continue;
    }
    json::object& annotations = api::ensureObject(api::ensureObject(pod, "metadata"), "annotations");
    annotations[kConfigSourceAnnotation] = source;
    auto old = existing.find(uid);
    if (old == existing.end()) {
      annotations[kConfigSeenAnnotation] = rfc3339Nano(std::chrono::system_clock::now());
      adds.pods.push_back(pod);
    } else {
      // The first-seen time stays what it was.
      const json::value* seen = api::findPath(old->second, "metadata.annotations");
      if (seen && seen->is_object() && seen->get_object().contains(kConfigSeenAnnotation)) {
        annotations[kConfigSeenAnnotation] = seen->get_object().at(kConfigSeenAnnotation);
      }
      if (podsDifferSemantically(old->second, pod)) {
        bool graceful = !at(pod, "metadata.deletionTimestamp").is_null();
        (graceful ? deletes : updates).pods.push_back(pod);
      } else if (at(old->second, "status") != at(pod, "status")) {
        reconciles.pods.push_back(pod);
      }
    }
    next.emplace(uid, std::move(pod));
  }
  for (auto& [uid, pod] : existing) {
    if (!next.count(uid)) removes.pods.push_back(pod);
  }
  existing = std::move(next);
  seen_.insert(source);
  // Upstream's order: removes, adds, updates, deletes, reconciles.
  for (PodUpdate* u : {&removes, &adds, &updates, &deletes, &reconciles}) {
    if (!u->pods.empty()) handler_.handlePodUpdate(*u);
  }
}

bool PodConfig::seenAllSources(const std::set<std::string>& sources) const {
  for (const auto& s : sources) {
    if (!seen_.count(s)) return false;
  }
  return true;
}

std::vector<json::object> PodConfig::pods() const {
  std::vector<json::object> out;
  for (const auto& [source, pods] : bySource_) {
    for (const auto& [uid, pod] : pods) out.push_back(pod);
  }
  return out;
}

}  // namespace kcpp::kubelet::config
