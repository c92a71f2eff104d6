#include "apiserver/admission/podsecurity/pod_templates.h"

#include <string>

namespace kcpp::apiserver::admission::podsecurity {

namespace {

const json::object& emptyObject() {
  static const json::object empty;
  return empty;
}

const json::object* child(const json::object* obj, std::string_view key) {
  if (!obj) return nullptr;
  auto it = obj->find(key);
  return it != obj->end() && it->value().is_object() ? &it->value().get_object() : nullptr;
}

const json::array* childArray(const json::object* obj, std::string_view key) {
  if (!obj) return nullptr;
  auto it = obj->find(key);
  return it != obj->end() && it->value().is_array() ? &it->value().get_array() : nullptr;
}

std::string_view text(const json::object* obj, std::string_view key) {
  if (!obj) return {};
  auto it = obj->find(key);
  return it != obj->end() && it->value().is_string() ? std::string_view(it->value().get_string())
                                                     : std::string_view();
}

PodParts partsOf(const json::object* metadata, const json::object* spec) {
  return {metadata ? metadata : &emptyObject(), spec ? spec : &emptyObject()};
}

std::string_view annotationOf(const json::object& pod, const std::string& key) {
  return text(child(child(&pod, "metadata"), "annotations"), key);
}

const std::string kSeccompPodAnnotation = "seccomp.security.alpha.kubernetes.io/pod";
const std::string kSeccompContainerPrefix = "container.seccomp.security.alpha.kubernetes.io/";

bool isSignificantContainerUpdate(const json::object& c, const json::object& old,
                                  const json::object& pod, const json::object& oldPod) {
  if (text(&c, "image") != text(&old, "image")) return true;
  std::string key = kSeccompContainerPrefix + std::string(text(&c, "name"));
  return annotationOf(pod, key) != annotationOf(oldPod, key);
}

// Containers in `list` of both pods, compared by position.
bool changedByPosition(const json::object& pod, const json::object& oldPod, std::string_view list) {
  const json::array* now = childArray(child(&pod, "spec"), list);
  const json::array* before = childArray(child(&oldPod, "spec"), list);
  std::size_t n = now ? now->size() : 0;
  if (n != (before ? before->size() : 0)) return true;
  for (std::size_t i = 0; i < n; ++i) {
    const json::value& c = (*now)[i];
    const json::value& o = (*before)[i];
    if (!c.is_object() || !o.is_object()) continue;
    if (isSignificantContainerUpdate(c.get_object(), o.get_object(), pod, oldPod)) return true;
  }
  return false;
}

// Ephemeral containers, matched by name: a new one is significant.
bool ephemeralChanged(const json::object& pod, const json::object& oldPod) {
  const json::array* now = childArray(child(&pod, "spec"), "ephemeralContainers");
  const json::array* before = childArray(child(&oldPod, "spec"), "ephemeralContainers");
  if (!now) return false;
  static const json::array none;
  if (!before) before = &none;
  for (const json::value& c : *now) {
    if (!c.is_object()) continue;
    const json::object* match = nullptr;
    for (const json::value& o : *before) {
      if (o.is_object() && text(&o.get_object(), "name") == text(&c.get_object(), "name")) {
        match = &o.get_object();
        break;
      }
    }
    if (!match) return true;
    if (isSignificantContainerUpdate(c.get_object(), *match, pod, oldPod)) return true;
  }
  return false;
}

}  // namespace

bool hasPodTemplate(std::string_view group, std::string_view resource) {
  if (group.empty()) return resource == "podtemplates" || resource == "replicationcontrollers";
  if (group == "apps") {
    return resource == "replicasets" || resource == "deployments" || resource == "statefulsets" ||
           resource == "daemonsets";
  }
  if (group == "batch") return resource == "jobs" || resource == "cronjobs";
  return false;
}

std::optional<PodParts> podTemplateOf(std::string_view resource, const json::object& obj) {
  const json::object* tmpl = nullptr;
  if (resource == "podtemplates") {
    tmpl = child(&obj, "template");
  } else if (resource == "cronjobs") {
    tmpl = child(child(child(child(&obj, "spec"), "jobTemplate"), "spec"), "template");
  } else {
    tmpl = child(child(&obj, "spec"), "template");
  }
  if (!tmpl) return std::nullopt;
  return partsOf(child(tmpl, "metadata"), child(tmpl, "spec"));
}

PodParts podParts(const json::object& pod) {
  return partsOf(child(&pod, "metadata"), child(&pod, "spec"));
}

bool isSignificantPodUpdate(const json::object& pod, const json::object& oldPod) {
  if (annotationOf(pod, kSeccompPodAnnotation) != annotationOf(oldPod, kSeccompPodAnnotation)) {
    return true;
  }
  return changedByPosition(pod, oldPod, "containers") ||
         changedByPosition(pod, oldPod, "initContainers") || ephemeralChanged(pod, oldPod);
}

}  // namespace kcpp::apiserver::admission::podsecurity
