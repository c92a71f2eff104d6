// Pod create and update (ValidatePodCreate, ValidatePodUpdate).
#include <algorithm>
#include <cctype>

#include "api/validation/pod_internal.h"

namespace kcpp::api::validation {
namespace {

constexpr std::int64_t kMaxInt32 = 2147483647;

const json::object& emptyObject() {
  static const json::object empty;
  return empty;
}

const json::object& specOf(const json::object& pod) {
  const json::object* spec = objectAt(pod, "spec");
  return spec ? *spec : emptyObject();
}

bool hasOuterSpace(std::string_view s) {
  return !s.empty() && (std::isspace(static_cast<unsigned char>(s.front())) ||
                        std::isspace(static_cast<unsigned char>(s.back())));
}

// validateContainersOnlyForPod: images without leading or trailing whitespace.
void imageWhitespace(const json::array* containers, const Path& p, Causes& out) {
  for (std::size_t i = 0; containers && i < containers->size(); ++i) {
    if (!(*containers)[i].is_object()) continue;
    std::string_view image = stringAt((*containers)[i].get_object(), "image");
    if (hasOuterSpace(image)) {
      out.push_back(invalidStr(p.index(i).child("image"), image, "must not have leading or trailing whitespace"));
    }
  }
}

Causes validatePodMetadataAndSpec(const json::object& pod) {
  const json::object& spec = specOf(pod);
  Path sp("spec");
  Causes out = validatePodSpec(spec, sp, PodOptions{true});
  imageWhitespace(arrayAt(spec, "containers"), sp.child("containers"), out);
  imageWhitespace(arrayAt(spec, "initContainers"), sp.child("initContainers"), out);
  return out;
}

// ValidateContainerUpdates; true when the lists differ in length (stop there).
bool containerUpdates(const json::array* now, const json::array* before, const Path& p, Causes& out) {
  std::size_t n = now ? now->size() : 0, b = before ? before->size() : 0;
  if (n != b) {
    out.push_back(forbidden(p, "pod updates may not add or remove containers"));
    return true;
  }
  for (std::size_t i = 0; i < n; ++i) {
    std::string_view image = (*now)[i].is_object() ? stringAt((*now)[i].get_object(), "image") : "";
    if (image.empty()) out.push_back(required(p.index(i).child("image")));
    if (hasOuterSpace(image)) {
      out.push_back(invalidStr(p.index(i).child("image"), image, "must not have leading or trailing whitespace"));
    }
  }
  return false;
}

void activeDeadlineUpdate(const json::object& spec, const json::object& old, Causes& out) {
  Path p("spec.activeDeadlineSeconds");
  auto now = intAt(spec, "activeDeadlineSeconds");
  auto before = intAt(old, "activeDeadlineSeconds");
  if (now) {
    if (*now < 0 || *now > kMaxInt32) {
      out.push_back(invalidInt(p, *now, inclusiveRangeError(0, kMaxInt32)));
    } else if (before && *before < *now) {
      out.push_back(invalidInt(p, *now, "must be less than or equal to previous value"));
    }
  } else if (before) {
    out.push_back(invalidValue(p, "null", "must not update from a positive integer to nil value"));
  }
}

// validateOnlyAddedTolerations: every old toleration is still there (its
// tolerationSeconds may change).
void tolerationUpdates(const json::object& spec, const json::object& old, Causes& out) {
  const json::array* now = arrayAt(spec, "tolerations");
  const json::array* before = arrayAt(old, "tolerations");
  for (const auto& o : before ? *before : json::array()) {
    bool found = false;
    for (const auto& n : now ? *now : json::array()) {
      if (!o.is_object() || !n.is_object()) continue;
      json::object a = o.get_object(), b = n.get_object();
      a.erase("tolerationSeconds");
      b.erase("tolerationSeconds");
      json::value va = a, vb = b;
      if (semanticEqual(&va, &vb)) found = true;
    }
    if (!found) {
      out.push_back(forbidden(Path("spec.tolerations"), "existing toleration can not be modified except its tolerationSeconds"));
      return;
    }
  }
  append(out, validateTolerations(now, Path("spec.tolerations")));
}

void mungeImages(json::object& munged, const json::object& old, std::string_view list) {
  json::array* now = munged.contains(list) ? munged[list].if_array() : nullptr;
  const json::array* before = arrayAt(old, list);
  if (!now || !before) return;
  for (std::size_t i = 0; i < now->size() && i < before->size(); ++i) {
    if (!(*now)[i].is_object() || !(*before)[i].is_object()) continue;
    const json::value* image = (*before)[i].get_object().if_contains("image");
    if (image) (*now)[i].get_object()["image"] = *image;
    else (*now)[i].get_object().erase("image");
  }
}

void copyField(json::object& munged, const json::object& old, std::string_view key) {
  if (const json::value* v = old.if_contains(key)) munged[key] = *v;
  else munged.erase(key);
}

std::string goFieldName(std::string_view key) {
  std::string name(key);
  if (!name.empty()) name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
  return name;
}

// A diff of the changed spec fields in the spirit of upstream's cmp.Diff
// output (which prints Go structs; ours prints their JSON).
std::string specDiff(const json::object& old, const json::object& munged) {
  std::string diff = "  core.PodSpec{\n";
  std::set<std::string> keys;
  for (const auto& kv : old) keys.insert(std::string(kv.key()));
  for (const auto& kv : munged) keys.insert(std::string(kv.key()));
  for (const auto& key : keys) {
    const json::value* a = old.if_contains(key);
    const json::value* b = munged.if_contains(key);
    if (semanticEqual(a, b)) continue;
    diff += "- \t" + goFieldName(key) + ": " + renderJson(a) + ",\n";
    diff += "+ \t" + goFieldName(key) + ": " + renderJson(b) + ",\n";
  }
  return diff + "  }\n";
}

void specUnchangedElsewhere(const json::object& spec, const json::object& old, Causes& out) {
  json::value nowValue = spec, oldValue = old;
  if (semanticEqual(&nowValue, &oldValue)) return;
  json::object munged = spec;
  mungeImages(munged, old, "containers");
  mungeImages(munged, old, "initContainers");
  for (std::string_view key : {"activeDeadlineSeconds", "schedulingGates", "tolerations"}) {
    copyField(munged, old, key);
  }
  auto oldGrace = intAt(old, "terminationGracePeriodSeconds");
  auto newGrace = intAt(munged, "terminationGracePeriodSeconds");
  if (oldGrace && *oldGrace < 0 && newGrace == 1) copyField(munged, old, "terminationGracePeriodSeconds");
  json::value mungedValue = munged;
  if (semanticEqual(&mungedValue, &oldValue)) return;
  out.push_back(forbidden(Path("spec"),
                          "pod updates may not change fields other than `spec.containers[*].image`,"
                          "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` "
                          "(only additions to existing tolerations),`spec.terminationGracePeriodSeconds` "
                          "(allow it to be set to 1 if it was previously negative)\n" +
                              specDiff(old, munged)));
}

void schedulingGateUpdates(const json::object& spec, const json::object& old, Causes& out) {
  const json::array* now = arrayAt(spec, "schedulingGates");
  if (!now || now->empty()) return;
  std::set<std::string> before;
  for (const auto& g : arrayAt(old, "schedulingGates") ? *arrayAt(old, "schedulingGates") : json::array()) {
    if (g.is_object()) before.insert(std::string(stringAt(g.get_object(), "name")));
  }
  for (std::size_t i = 0; i < now->size(); ++i) {
    std::string name((*now)[i].is_object() ? stringAt((*now)[i].get_object(), "name") : "");
    if (!before.count(name)) {
      out.push_back(forbidden(Path("spec.schedulingGates").index(i).child("name"),
                              "only deletion is allowed, but found new scheduling gate '" + name + "'"));
    }
  }
}

}  // namespace

Causes validatePod(const json::object& pod) {
  Causes out = validatePodMetadataAndSpec(pod);
  const json::object& spec = specOf(pod);
  const json::array* ephemeral = arrayAt(spec, "ephemeralContainers");
  if (ephemeral && !ephemeral->empty()) {
    out.push_back(forbidden(Path("spec.ephemeralContainers"), "cannot be set on create"));
  }
  const json::array* gates = arrayAt(spec, "schedulingGates");
  if (!stringAt(spec, "nodeName").empty() && gates && !gates->empty()) {
    out.push_back(forbidden(Path("spec.nodeName"), "cannot be set until all schedulingGates have been cleared"));
  }
  return out;
}

Causes validatePodUpdate(const json::object& pod, const json::object& oldPod) {
  Causes out = validatePodMetadataAndSpec(pod);
  const json::object& spec = specOf(pod);
  const json::object& old = specOf(oldPod);
  Path sp("spec");
  if (containerUpdates(arrayAt(spec, "containers"), arrayAt(old, "containers"), sp.child("containers"), out)) {
    return out;
  }
  if (containerUpdates(arrayAt(spec, "initContainers"), arrayAt(old, "initContainers"), sp.child("initContainers"),
                       out)) {
    return out;
  }
  std::size_t before = out.size();
  activeDeadlineUpdate(spec, old, out);
  if (out.size() != before && intAt(spec, "activeDeadlineSeconds")) return out;
  tolerationUpdates(spec, old, out);
  schedulingGateUpdates(spec, old, out);
  specUnchangedElsewhere(spec, old, out);
  return out;
}

}  // namespace kcpp::api::validation
