#include "controllers/deployment/deployment_util.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "api/meta/object.h"

namespace kcpp::controllers::deployment {

namespace {

using SysClock = std::chrono::system_clock;

const json::object* annotationsOf(const json::object& obj) {
  const json::object* meta = api::findObject(obj, "metadata");
  return meta ? api::findObject(*meta, "annotations") : nullptr;
}

std::optional<std::int64_t> parseInt(const std::string& text) {
  if (text.empty()) return std::nullopt;
  std::int64_t value = 0;
  std::size_t used = 0;
  try {
    value = std::stoll(text, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (used != text.size()) return std::nullopt;
  return value;
}

std::string creationOf(const json::object& rs) { return stringAt(rs, "metadata.creationTimestamp"); }

// Upstream's ReplicaSetsByCreationTimestamp.Less.
bool createdBefore(const RsPtr& a, const RsPtr& b) {
  std::string ta = creationOf(*a), tb = creationOf(*b);
  if (ta == tb) return api::metaName(*a) < api::metaName(*b);
  return ta < tb;  // RFC 3339 in UTC with second precision sorts as text
}

void writeCanonical(const json::value& value, std::string& out) {
  if (!value.is_object()) {
    if (value.is_array()) {
      out += '[';
      bool first = true;
      for (const json::value& v : value.get_array()) {
        if (!first) out += ',';
        first = false;
        writeCanonical(v, out);
      }
      out += ']';
      return;
    }
    out += json::serialize(value);
    return;
  }
  std::vector<std::pair<std::string_view, const json::value*>> fields;
  for (const auto& kv : value.get_object()) fields.emplace_back(kv.key(), &kv.value());
  std::sort(fields.begin(), fields.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  out += '{';
  bool first = true;
  for (const auto& [key, v] : fields) {
    if (!first) out += ',';
    first = false;
    out += json::serialize(json::value(key));
    out += ':';
    writeCanonical(*v, out);
  }
  out += '}';
}

json::object withoutHashLabel(const json::object& podTemplate) {
  json::object copy = podTemplate;
  json::object* meta = api::findObject(copy, "metadata");
  if (!meta) return copy;
  if (json::object* labels = api::findObject(*meta, "labels")) {
    labels->erase(kPodTemplateHashLabel);
    if (labels->empty()) meta->erase("labels");
  }
  // Upstream compares semantically: an empty map equals an absent one.
  if (json::object* annotations = api::findObject(*meta, "annotations"); annotations && annotations->empty()) {
    meta->erase("annotations");
  }
  if (meta->empty()) copy.erase("metadata");
  return copy;
}

std::string strategyType(const json::object& d) {
  std::string type = stringAt(d, "spec.strategy.type");
  return type.empty() ? "RollingUpdate" : type;
}

bool annotationSkipped(std::string_view key) {
  return key == kLastAppliedAnnotation || key == kRevisionAnnotation ||
         key == kRevisionHistoryAnnotation || key == kDesiredReplicasAnnotation ||
         key == kMaxReplicasAnnotation || key == kRollbackToAnnotation;
}

}  // namespace

// --- fields --------------------------------------------------------------------

std::int64_t intAt(const json::object& obj, std::string_view path, std::int64_t fallback) {
  const json::value* v = api::findPath(obj, path);
  if (!v) return fallback;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  if (v->is_double()) return static_cast<std::int64_t>(v->get_double());
  return fallback;
}

std::string stringAt(const json::object& obj, std::string_view path) {
  const json::value* v = api::findPath(obj, path);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

std::string annotation(const json::object& obj, std::string_view key) {
  const json::object* annotations = annotationsOf(obj);
  return annotations ? std::string(api::getString(*annotations, key)) : "";
}

void setAnnotation(json::object& obj, std::string_view key, const std::string& value) {
  api::ensureObject(api::ensureObject(obj, "metadata"), "annotations")[key] = value;
}

std::int64_t specReplicas(const json::object& obj) { return intAt(obj, "spec.replicas", 1); }

bool beingDeleted(const json::object& obj) {
  return api::findPath(obj, "metadata.deletionTimestamp") != nullptr;
}

bool isPaused(const json::object& d) {
  const json::value* paused = api::findPath(d, "spec.paused");
  return paused && paused->is_bool() && paused->get_bool();
}

// --- hashing and templates -----------------------------------------------------

std::string canonicalJson(const json::value& value) {
  std::string out;
  writeCanonical(value, out);
  return out;
}

std::string safeEncodeString(std::string_view s) {
  static constexpr std::string_view alphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::string out(s.size(), ' ');
  for (std::size_t i = 0; i < s.size(); ++i) {
    out[i] = alphabet[static_cast<unsigned char>(s[i]) % alphabet.size()];
  }
  return out;
}

std::string computeHash(const json::object& podTemplate, std::optional<std::int64_t> collisionCount) {
  std::uint32_t hash = 2166136261u;  // FNV-32a offset basis
  auto feed = [&hash](unsigned char byte) {
    hash ^= byte;
    hash *= 16777619u;  // FNV prime
  };
  for (char c : canonicalJson(podTemplate)) feed(static_cast<unsigned char>(c));
  if (collisionCount) {
    // Upstream writes 8 bytes: the count as little-endian uint32, then zeros.
    auto count = static_cast<std::uint32_t>(*collisionCount);
    for (int i = 0; i < 8; ++i) feed(i < 4 ? static_cast<unsigned char>((count >> (8 * i)) & 0xff) : 0);
  }
  return safeEncodeString(std::to_string(hash));
}

bool equalIgnoreHash(const json::object& a, const json::object& b) {
  return withoutHashLabel(a) == withoutHashLabel(b);
}

json::object templateWithHash(const json::object& deploymentTemplate, const std::string& hash) {
  json::object out = deploymentTemplate;
  api::ensureObject(api::ensureObject(out, "metadata"), "labels")[kPodTemplateHashLabel] = hash;
  return out;
}

json::object selectorWithHash(const json::value& selector, const std::string& hash) {
  json::object out = selector.is_object() ? selector.get_object() : json::object{};
  api::ensureObject(out, "matchLabels")[kPodTemplateHashLabel] = hash;
  return out;
}

// --- strategy arithmetic -------------------------------------------------------

bool isRollingUpdate(const json::object& d) { return strategyType(d) == "RollingUpdate"; }

std::int64_t scaledValue(const json::value* intOrPercent, std::int64_t total, bool roundUp) {
  if (!intOrPercent) return 0;
  if (intOrPercent->is_int64()) return intOrPercent->get_int64();
  if (intOrPercent->is_uint64()) return static_cast<std::int64_t>(intOrPercent->get_uint64());
  if (!intOrPercent->is_string()) return 0;
  std::string text(intOrPercent->get_string());
  if (text.empty() || text.back() != '%') return 0;  // validation rejects these
  auto percent = parseInt(text.substr(0, text.size() - 1));
  if (!percent) return 0;
  double scaled = static_cast<double>(*percent) * static_cast<double>(total) / 100.0;
  return static_cast<std::int64_t>(roundUp ? std::ceil(scaled) : std::floor(scaled));
}

Fenceposts resolveFenceposts(const json::value* maxSurge, const json::value* maxUnavailable,
                             std::int64_t desired) {
  Fenceposts f{scaledValue(maxSurge, desired, true), scaledValue(maxUnavailable, desired, false)};
  // Both zero would deadlock a rollout; upstream lets one pod be unavailable.
  if (f.maxSurge == 0 && f.maxUnavailable == 0) f.maxUnavailable = 1;
  return f;
}

namespace {
Fenceposts fencepostsOf(const json::object& d) {
  return resolveFenceposts(api::findPath(d, "spec.strategy.rollingUpdate.maxSurge"),
                           api::findPath(d, "spec.strategy.rollingUpdate.maxUnavailable"),
                           specReplicas(d));
}
}  // namespace

std::int64_t maxSurge(const json::object& d) {
  return isRollingUpdate(d) ? fencepostsOf(d).maxSurge : 0;
}

std::int64_t maxUnavailable(const json::object& d) {
  std::int64_t replicas = specReplicas(d);
  if (!isRollingUpdate(d) || replicas == 0) return 0;
  return std::min(fencepostsOf(d).maxUnavailable, replicas);
}

// --- revisions and annotations -------------------------------------------------

std::int64_t revisionOf(const json::object& obj) {
  return parseInt(annotation(obj, kRevisionAnnotation)).value_or(0);
}

std::int64_t maxRevision(const RsList& rss) {
  std::int64_t most = 0;
  for (const RsPtr& rs : rss) {
    if (rs) most = std::max(most, revisionOf(*rs));
  }
  return most;
}

bool setNewReplicaSetAnnotations(const json::object& d, json::object& rs, const std::string& newRevision,
                                 bool exists) {
  bool changed = false;
  if (const json::object* fromDeployment = annotationsOf(d)) {
    for (const auto& kv : *fromDeployment) {
      if (annotationSkipped(kv.key()) || !kv.value().is_string()) continue;
      std::string value(kv.value().get_string());
      const json::object* current = annotationsOf(rs);
      if (current && current->contains(kv.key()) && api::getString(*current, kv.key()) == value) continue;
      setAnnotation(rs, kv.key(), value);
      changed = true;
    }
  }
  std::string oldRevision = annotation(rs, kRevisionAnnotation);
  std::optional<std::int64_t> oldValue = oldRevision.empty() ? std::optional<std::int64_t>(0)
                                                             : parseInt(oldRevision);
  if (!oldValue) return false;  // upstream gives up on an unparsable revision
  std::int64_t newValue = parseInt(newRevision).value_or(0);
  if (*oldValue < newValue) {
    setAnnotation(rs, kRevisionAnnotation, newRevision);
    changed = true;
    // A template used again (a rollback): remember the revisions it had.
    if (!oldRevision.empty()) {
      std::string history = annotation(rs, kRevisionHistoryAnnotation);
      if (history.empty()) {
        setAnnotation(rs, kRevisionHistoryAnnotation, oldRevision);
      } else {
        std::vector<std::string> revisions;
        std::stringstream in(history);
        for (std::string item; std::getline(in, item, ',');) revisions.push_back(item);
        std::size_t total = history.size() + oldRevision.size() + 1;
        std::size_t start = 0;
        while (total > kMaxRevisionHistoryChars && start < revisions.size()) {
          total -= revisions[start].size() + 1;
          ++start;
        }
        if (total <= kMaxRevisionHistoryChars) {
          std::string joined;
          for (std::size_t i = start; i < revisions.size(); ++i) joined += revisions[i] + ",";
          setAnnotation(rs, kRevisionHistoryAnnotation, joined + oldRevision);
        }
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, specReplicas(d), specReplicas(d) + maxSurge(d))) {
    changed = true;
  }
  return changed;
}

bool setReplicasAnnotations(json::object& rs, std::int64_t desired, std::int64_t maxReplicas) {
  if (!replicasAnnotationsNeedUpdate(rs, desired, maxReplicas)) return false;
  setAnnotation(rs, kDesiredReplicasAnnotation, std::to_string(desired));
  setAnnotation(rs, kMaxReplicasAnnotation, std::to_string(maxReplicas));
  return true;
}

bool replicasAnnotationsNeedUpdate(const json::object& rs, std::int64_t desired, std::int64_t maxReplicas) {
  return annotation(rs, kDesiredReplicasAnnotation) != std::to_string(desired) ||
         annotation(rs, kMaxReplicasAnnotation) != std::to_string(maxReplicas);
}

std::optional<std::int64_t> desiredReplicasAnnotation(const json::object& rs) {
  return parseInt(annotation(rs, kDesiredReplicasAnnotation));
}

namespace {
std::optional<std::int64_t> maxReplicasAnnotation(const json::object& rs) {
  return parseInt(annotation(rs, kMaxReplicasAnnotation));
}
}  // namespace

bool setDeploymentRevision(json::object& d, const std::string& revision) {
  if (annotation(d, kRevisionAnnotation) == revision) return false;
  setAnnotation(d, kRevisionAnnotation, revision);
  return true;
}

// --- sets of ReplicaSets -------------------------------------------------------

void sortByCreation(RsList& rss) { std::stable_sort(rss.begin(), rss.end(), createdBefore); }

void sortBySizeNewer(RsList& rss) {
  std::stable_sort(rss.begin(), rss.end(), [](const RsPtr& a, const RsPtr& b) {
    if (specReplicas(*a) == specReplicas(*b)) return createdBefore(b, a);
    return specReplicas(*a) > specReplicas(*b);
  });
}

void sortBySizeOlder(RsList& rss) {
  std::stable_sort(rss.begin(), rss.end(), [](const RsPtr& a, const RsPtr& b) {
    if (specReplicas(*a) == specReplicas(*b)) return createdBefore(a, b);
    return specReplicas(*a) > specReplicas(*b);
  });
}

void sortByRevision(RsList& rss) {
  std::stable_sort(rss.begin(), rss.end(), [](const RsPtr& a, const RsPtr& b) {
    if (revisionOf(*a) == revisionOf(*b)) return createdBefore(a, b);
    return revisionOf(*a) < revisionOf(*b);
  });
}

RsList filterActive(const RsList& rss) {
  RsList out;
  for (const RsPtr& rs : rss) {
    if (rs && specReplicas(*rs) > 0) out.push_back(rs);
  }
  return out;
}

RsPtr findNewReplicaSet(const json::object& d, const RsList& rss) {
  const json::value* wanted = api::findPath(d, "spec.template");
  if (!wanted || !wanted->is_object()) return nullptr;
  RsList sorted = rss;
  sortByCreation(sorted);
  for (const RsPtr& rs : sorted) {
    const json::value* templ = api::findPath(*rs, "spec.template");
    // Several may match (a hash collision made a second one): the oldest wins.
    if (templ && templ->is_object() && equalIgnoreHash(templ->get_object(), wanted->get_object())) return rs;
  }
  return nullptr;
}

RsList findOldReplicaSets(const RsList& rss, const RsPtr& newRS) {
  RsList out;
  for (const RsPtr& rs : rss) {
    if (!newRS || api::metaName(*rs) != api::metaName(*newRS)) out.push_back(rs);
  }
  return out;
}

RsPtr findActiveOrLatest(const RsPtr& newRS, RsList oldRSs) {
  if (oldRSs.empty() && !newRS) return nullptr;
  sortByCreation(oldRSs);
  std::reverse(oldRSs.begin(), oldRSs.end());  // newest first
  RsList all = oldRSs;
  all.push_back(newRS);
  RsList active = filterActive(all);
  if (active.size() == 1) return active.front();
  if (!active.empty()) return nullptr;
  if (newRS) return newRS;
  return oldRSs.empty() ? nullptr : oldRSs.front();
}

namespace {
std::int64_t sumOf(const RsList& rss, std::string_view path) {
  std::int64_t total = 0;
  for (const RsPtr& rs : rss) {
    if (rs) total += intAt(*rs, path);
  }
  return total;
}
}  // namespace

std::int64_t specReplicaCount(const RsList& rss) {
  std::int64_t total = 0;
  for (const RsPtr& rs : rss) {
    if (rs) total += specReplicas(*rs);
  }
  return total;
}
std::int64_t actualReplicaCount(const RsList& rss) { return sumOf(rss, "status.replicas"); }
std::int64_t readyReplicaCount(const RsList& rss) { return sumOf(rss, "status.readyReplicas"); }
std::int64_t availableReplicaCount(const RsList& rss) { return sumOf(rss, "status.availableReplicas"); }

bool isSaturated(const json::object& d, const RsPtr& newRS) {
  if (!newRS) return false;
  auto desired = desiredReplicasAnnotation(*newRS);
  if (!desired) return false;
  std::int64_t replicas = specReplicas(d);
  return specReplicas(*newRS) == replicas && *desired == replicas &&
         intAt(*newRS, "status.availableReplicas") == replicas;
}

std::int64_t proportion(const json::object& rs, const json::object& d, std::int64_t toAdd,
                        std::int64_t added) {
  std::int64_t rsReplicas = specReplicas(rs);
  if (rsReplicas == 0 || toAdd == 0 || toAdd == added) return 0;
  std::int64_t fraction = 0;
  if (specReplicas(d) == 0) {
    fraction = -rsReplicas;
  } else {
    // The RS keeps its share of the size the deployment had when it was last
    // annotated (max-replicas), scaled to the new allowed size.
    std::int64_t deploymentReplicas = specReplicas(d) + maxSurge(d);
    std::int64_t annotated = maxReplicasAnnotation(rs).value_or(intAt(d, "status.replicas"));
    if (annotated == 0) return 0;
    double size = static_cast<double>(rsReplicas * deploymentReplicas) / static_cast<double>(annotated);
    fraction = static_cast<std::int64_t>(std::round(size)) - rsReplicas;
  }
  std::int64_t allowed = toAdd - added;
  return toAdd > 0 ? std::min(fraction, allowed) : std::max(fraction, allowed);
}

std::int64_t newRSNewReplicas(const json::object& d, const RsList& allRSs, const json::object& newRS) {
  if (!isRollingUpdate(d)) return specReplicas(d);
  std::int64_t surge = scaledValue(api::findPath(d, "spec.strategy.rollingUpdate.maxSurge"),
                                   specReplicas(d), true);
  std::int64_t current = specReplicaCount(allRSs);
  std::int64_t maxTotal = specReplicas(d) + surge;
  if (current >= maxTotal) return specReplicas(newRS);
  std::int64_t scaleUp = std::min(maxTotal - current, specReplicas(d) - specReplicas(newRS));
  return specReplicas(newRS) + scaleUp;
}

// --- conditions and status -----------------------------------------------------

const json::object* findCondition(const json::object& status, std::string_view type) {
  const json::value* conditions = status.if_contains("conditions");
  if (!conditions || !conditions->is_array()) return nullptr;
  for (const json::value& c : conditions->get_array()) {
    if (c.is_object() && api::getString(c.get_object(), "type") == type) return &c.get_object();
  }
  return nullptr;
}

json::object newCondition(std::string_view type, std::string_view status, std::string_view reason,
                          const std::string& message) {
  std::string now = api::nowTime();
  return json::object{{"type", type},           {"status", status},
                      {"lastUpdateTime", now},  {"lastTransitionTime", now},
                      {"reason", reason},       {"message", message}};
}

void setCondition(json::object& status, json::object condition) {
  std::string type(api::getString(condition, "type"));
  if (const json::object* current = findCondition(status, type)) {
    if (api::getString(*current, "status") == api::getString(condition, "status")) {
      if (api::getString(*current, "reason") == api::getString(condition, "reason")) return;
      condition["lastTransitionTime"] = current->at("lastTransitionTime");
    }
  }
  removeCondition(status, type);
  json::value& conditions = status["conditions"];
  if (!conditions.is_array()) conditions = json::array{};
  conditions.get_array().push_back(std::move(condition));
}

void removeCondition(json::object& status, std::string_view type) {
  json::value* conditions = status.if_contains("conditions");
  if (!conditions || !conditions->is_array()) return;
  json::array kept;
  for (json::value& c : conditions->get_array()) {
    if (!c.is_object() || api::getString(c.get_object(), "type") != type) kept.push_back(std::move(c));
  }
  if (kept.empty()) {
    status.erase("conditions");
  } else {
    *conditions = std::move(kept);
  }
}

bool hasProgressDeadline(const json::object& d) {
  const json::value* v = api::findPath(d, "spec.progressDeadlineSeconds");
  return v && v->is_number() && intAt(d, "spec.progressDeadlineSeconds") != std::numeric_limits<std::int32_t>::max();
}

json::object calculateStatus(const RsList& allRSs, const RsPtr& newRS, const json::object& d) {
  std::int64_t available = availableReplicaCount(allRSs);
  std::int64_t unavailable = std::max<std::int64_t>(0, specReplicaCount(allRSs) - available);
  json::object status;
  status["observedGeneration"] = intAt(d, "metadata.generation");
  // Upstream's omitempty: zero counts are left out.
  auto put = [&status](std::string_view key, std::int64_t value) {
    if (value != 0) status[key] = value;
  };
  put("replicas", actualReplicaCount(allRSs));
  put("updatedReplicas", newRS ? actualReplicaCount({newRS}) : 0);
  put("readyReplicas", readyReplicaCount(allRSs));
  put("availableReplicas", available);
  put("unavailableReplicas", unavailable);
  if (const json::value* collisions = api::findPath(d, "status.collisionCount")) {
    status["collisionCount"] = *collisions;
  }
  if (const json::value* conditions = api::findPath(d, "status.conditions")) {
    status["conditions"] = *conditions;
  }
  if (available >= specReplicas(d) - maxUnavailable(d)) {
    setCondition(status, newCondition(kAvailable, "True", kMinimumReplicasAvailable,
                                      "Deployment has minimum availability."));
  } else {
    setCondition(status, newCondition(kAvailable, "False", kMinimumReplicasUnavailable,
                                      "Deployment does not have minimum availability."));
  }
  return status;
}

bool deploymentComplete(const json::object& d, const json::object& status) {
  std::int64_t replicas = specReplicas(d);
  return intAt(status, "updatedReplicas") == replicas && intAt(status, "replicas") == replicas &&
         intAt(status, "availableReplicas") == replicas &&
         intAt(status, "observedGeneration") >= intAt(d, "metadata.generation");
}

bool deploymentProgressing(const json::object& d, const json::object& status) {
  std::int64_t oldUpdated = intAt(d, "status.updatedReplicas");
  std::int64_t oldOld = intAt(d, "status.replicas") - oldUpdated;
  std::int64_t newOld = intAt(status, "replicas") - intAt(status, "updatedReplicas");
  return intAt(status, "updatedReplicas") > oldUpdated || newOld < oldOld ||
         intAt(status, "readyReplicas") > intAt(d, "status.readyReplicas") ||
         intAt(status, "availableReplicas") > intAt(d, "status.availableReplicas");
}

bool deploymentTimedOut(const json::object& d, const json::object& status, SysClock::time_point now) {
  if (!hasProgressDeadline(d)) return false;
  const json::object* cond = findCondition(status, kProgressing);
  if (!cond) return false;
  std::string_view reason = api::getString(*cond, "reason");
  if (reason == kNewReplicaSetAvailable) return false;
  if (reason == kProgressDeadlineExceeded) return true;
  auto from = api::parseTime(api::getString(*cond, "lastUpdateTime"));
  if (!from) return false;
  return *from + std::chrono::seconds(intAt(d, "spec.progressDeadlineSeconds")) < now;
}

}  // namespace kcpp::controllers::deployment
