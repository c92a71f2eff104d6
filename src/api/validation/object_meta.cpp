#include "api/validation/object_meta.h"

#include <algorithm>
#include <cctype>

#include "api/selectors/label_validation.h"

namespace kcpp::api::validation {
namespace {

constexpr std::int64_t kTotalAnnotationSizeLimit = 256 * 1024;

const json::object& emptyObject() {
  static const json::object empty;
  return empty;
}

const json::object& metadataOf(const json::object& obj) {
  const json::object* meta = objectAt(obj, "metadata");
  return meta ? *meta : emptyObject();
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

void validateLabelKey(std::string_view key, const Path& p, Causes& out) {
  for (const auto& msg : selectors::qualifiedNameErrors(key)) out.push_back(invalidStr(p, key, msg));
}

// A name prefix for generateName: a trailing '-' is allowed (maskTrailingDash).
std::string maskTrailingDash(std::string name) {
  if (name.size() > 1 && name.back() == '-') name.back() = 'a';
  return name;
}

void validateGenerateName(const json::object& meta, NameRule rule, Causes& out) {
  std::string_view generateName = stringAt(meta, "generateName");
  if (generateName.empty()) return;
  for (const auto& msg : nameProblems(rule, maskTrailingDash(std::string(generateName)))) {
    out.push_back(invalidStr(Path("metadata.generateName"), generateName, msg));
  }
}

void validateOwnerReference(const json::object& ref, const Path& p, Causes& out) {
  std::string_view apiVersion = stringAt(ref, "apiVersion");
  std::string_view kind = stringAt(ref, "kind");
  // schema.ParseGroupVersion: "v1" or "group/version"; more slashes leave no version.
  auto slashes = std::count(apiVersion.begin(), apiVersion.end(), '/');
  std::string_view version = slashes == 0 ? apiVersion
                             : slashes == 1 ? apiVersion.substr(apiVersion.find('/') + 1)
                                            : std::string_view();
  if (version.empty()) {
    out.push_back(invalidStr(p.child("apiVersion"), apiVersion, "version must not be empty"));
  }
  if (kind.empty()) out.push_back(invalidStr(p.child("kind"), kind, "kind must not be empty"));
  if (stringAt(ref, "name").empty()) {
    out.push_back(invalidStr(p.child("name"), "", "name must not be empty"));
  }
  if (stringAt(ref, "uid").empty()) {
    out.push_back(invalidStr(p.child("uid"), "", "uid must not be empty"));
  }
  if (apiVersion == "v1" && kind == "Event") {
    json::value v = ref;
    out.push_back(invalidValue(p, renderJson(&v), "/v1, Kind=Event is disallowed from being an owner"));
  }
}

void validateOwnerReferences(const json::object& meta, Causes& out) {
  const json::array* refs = arrayAt(meta, "ownerReferences");
  if (!refs) return;
  Path p("metadata.ownerReferences");
  std::string firstController;
  for (const auto& item : *refs) {
    if (!item.is_object()) continue;
    const json::object& ref = item.get_object();
    validateOwnerReference(ref, p, out);
    if (!boolAt(ref, "controller")) continue;
    std::string current = std::string(stringAt(ref, "kind")) + "/" + std::string(stringAt(ref, "name"));
    if (firstController.empty()) {
      firstController = current;
      continue;
    }
    out.push_back(invalidValue(p, renderJson(valueAt(meta, "ownerReferences")),
                               "Only one reference can have Controller set to true. Found \"true\" in "
                               "references for " + firstController + " and " + current));
  }
}

bool isStandardFinalizer(std::string_view name) {
  return name == "kubernetes" || name == "orphan" || name == "foregroundDeletion";
}

void validateFinalizers(const json::object& meta, Causes& out) {
  const json::array* list = arrayAt(meta, "finalizers");
  if (!list) return;
  Path p("metadata.finalizers");
  auto names = strings(list);
  for (const auto& name : names) validateLabelKey(name, p, out);
  bool orphan = std::count(names.begin(), names.end(), "orphan") > 0;
  bool foreground = std::count(names.begin(), names.end(), "foregroundDeletion") > 0;
  if (orphan && foreground) {
    out.push_back(invalidValue(p, goStringSlice(valueAt(meta, "finalizers")),
                               "finalizer orphan and foregroundDeletion cannot be both set"));
  }
  // Core's extra rule: an unqualified finalizer must be one of the standard names.
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i].find('/') == std::string::npos && !isStandardFinalizer(names[i])) {
      out.push_back(invalidStr(p.index(i), names[i],
                               "name is neither a standard finalizer name nor is it fully qualified"));
    }
  }
}

void validateMetaCommon(const json::object& meta, Causes& out) {
  append(out, validateLabels(valueAt(meta, "labels"), Path("metadata.labels")));
  append(out, validateAnnotations(valueAt(meta, "annotations"), Path("metadata.annotations")));
  validateOwnerReferences(meta, out);
}

void immutable(const json::object& meta, const json::object& oldMeta, std::string_view field,
               Causes& out) {
  const json::value* now = valueAt(meta, field);
  const json::value* before = valueAt(oldMeta, field);
  if (semanticEqual(now, before)) return;
  std::string rendered = now && now->is_string() ? goQuote(now->get_string()) : renderJson(now);
  out.push_back(invalidValue(Path("metadata").child(field), rendered, kImmutableMsg));
}

}  // namespace

Causes validateLabels(const json::value* labels, const Path& p) {
  Causes out;
  if (!labels || !labels->is_object()) return out;
  for (const auto& [key, value] : labels->get_object()) {
    validateLabelKey(key, p, out);
    std::string_view v = value.is_string() ? std::string_view(value.get_string()) : "";
    for (const auto& msg : selectors::labelValueErrors(v)) out.push_back(invalidStr(p, v, msg));
  }
  return out;
}

Causes validateAnnotations(const json::value* annotations, const Path& p) {
  Causes out;
  if (!annotations || !annotations->is_object()) return out;
  std::int64_t total = 0;
  for (const auto& [key, value] : annotations->get_object()) {
    for (const auto& msg : selectors::qualifiedNameErrors(lower(key))) {
      out.push_back(invalidStr(p, key, msg));
    }
    total += static_cast<std::int64_t>(key.size());
    if (value.is_string()) total += static_cast<std::int64_t>(value.get_string().size());
  }
  if (total > kTotalAnnotationSizeLimit) out.push_back(tooLong(p, kTotalAnnotationSizeLimit));
  return out;
}

Causes validateObjectMeta(const json::object& obj, NameRule nameRule) {
  Causes out;
  const json::object& meta = metadataOf(obj);
  validateGenerateName(meta, nameRule, out);
  if (auto generation = intAt(meta, "generation"); generation && *generation < 0) {
    out.push_back(invalidInt(Path("metadata.generation"), *generation, kNegativeMsg));
  }
  validateMetaCommon(meta, out);
  validateFinalizers(meta, out);
  return out;
}

Causes validateObjectMetaUpdate(const json::object& obj, const json::object& old) {
  Causes out;
  const json::object& meta = metadataOf(obj);
  const json::object& oldMeta = metadataOf(old);
  auto generation = intAt(meta, "generation");
  auto oldGeneration = intAt(oldMeta, "generation");
  if (generation.value_or(0) < oldGeneration.value_or(0)) {
    out.push_back(invalidInt(Path("metadata.generation"), generation.value_or(0),
                             "must not be decremented"));
  }
  for (std::string_view field : {"name", "namespace", "uid", "creationTimestamp",
                                 "deletionTimestamp", "deletionGracePeriodSeconds"}) {
    immutable(meta, oldMeta, field, out);
  }
  validateMetaCommon(meta, out);
  validateFinalizers(meta, out);
  return out;
}

}  // namespace kcpp::api::validation
