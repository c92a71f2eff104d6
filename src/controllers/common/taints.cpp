#include "controllers/common/taints.h"

#include <limits>

#include "api/meta/object.h"

namespace kcpp::controllers {

namespace {

std::string_view field(const json::object& obj, std::string_view key) { return api::getString(obj, key); }

}  // namespace

bool tolerates(const json::object& toleration, const json::object& taint) {
  std::string_view effect = field(toleration, "effect");
  if (!effect.empty() && effect != field(taint, "effect")) return false;
  std::string_view key = field(toleration, "key");
  if (!key.empty() && key != field(taint, "key")) return false;
  std::string_view op = field(toleration, "operator");
  if (op == "Exists") return true;
  if (op.empty() || op == "Equal") return field(toleration, "value") == field(taint, "value");
  return false;
}

MatchedTolerations matchingTolerations(const json::array& taints, const json::array& tolerations) {
  MatchedTolerations out;
  for (const auto& taint : taints) {
    if (!taint.is_object()) continue;
    bool found = false;
    for (const auto& t : tolerations) {
      if (t.is_object() && tolerates(t.get_object(), taint.get_object())) {
        out.used.push_back(t.get_object());
        found = true;
        break;
      }
    }
    if (!found) {
      out.allTolerated = false;
      out.used.clear();
      return out;
    }
  }
  return out;
}

std::optional<std::chrono::seconds> minTolerationTime(const std::vector<json::object>& tolerations) {
  if (tolerations.empty()) return std::chrono::seconds(0);
  std::int64_t min = std::numeric_limits<std::int64_t>::max();
  for (const auto& t : tolerations) {
    const json::value* seconds = t.if_contains("tolerationSeconds");
    if (!seconds || !seconds->is_int64()) continue;
    if (seconds->get_int64() <= 0) return std::chrono::seconds(0);
    min = std::min(min, seconds->get_int64());
  }
  if (min == std::numeric_limits<std::int64_t>::max()) return std::nullopt;
  return std::chrono::seconds(min);
}

json::array nodeTaints(const json::object& node) {
  const json::value* taints = api::findPath(node, "spec.taints");
  return taints && taints->is_array() ? taints->get_array() : json::array{};
}

json::array taintsWithEffect(const json::array& taints, std::string_view effect) {
  json::array out;
  for (const auto& t : taints) {
    if (t.is_object() && field(t.get_object(), "effect") == effect) out.push_back(t);
  }
  return out;
}

bool sameTaint(const json::object& a, const json::object& b) {
  return field(a, "key") == field(b, "key") && field(a, "effect") == field(b, "effect");
}

bool hasTaint(const json::array& taints, const json::object& taint) {
  for (const auto& t : taints) {
    if (t.is_object() && sameTaint(t.get_object(), taint)) return true;
  }
  return false;
}

bool hasTaintKey(const json::array& taints, std::string_view key) {
  for (const auto& t : taints) {
    if (t.is_object() && field(t.get_object(), "key") == key) return true;
  }
  return false;
}

json::object makeTaint(const std::string& key, const std::string& effect) {
  return json::object{{"key", key}, {"effect", effect}};
}

std::optional<json::array> swapTaints(const json::array& taints, const std::vector<json::object>& add,
                                      const std::vector<json::object>& remove, const std::string& now) {
  json::array out;
  bool changed = false;
  for (const auto& t : taints) {
    if (!t.is_object()) continue;
    bool drop = false;
    for (const auto& r : remove) drop = drop || sameTaint(t.get_object(), r);
    changed = changed || drop;
    if (!drop) out.push_back(t);
  }
  for (const auto& a : add) {
    bool present = false;
    for (auto& t : out) {
      if (!sameTaint(t.as_object(), a)) continue;
      present = true;
      if (field(t.as_object(), "value") != field(a, "value")) {  // same key and effect, new value
        json::object updated = a;
        updated["timeAdded"] = now;
        t = std::move(updated);
        changed = true;
      }
    }
    if (present) continue;
    json::object added = a;
    added["timeAdded"] = now;
    out.push_back(std::move(added));
    changed = true;
  }
  if (!changed) return std::nullopt;
  return out;
}

const json::object* nodeCondition(const json::object& node, std::string_view type) {
  const json::value* conditions = api::findPath(node, "status.conditions");
  if (!conditions || !conditions->is_array()) return nullptr;
  for (const auto& c : conditions->get_array()) {
    if (c.is_object() && field(c.get_object(), "type") == type) return &c.get_object();
  }
  return nullptr;
}

bool isNodeReady(const json::object& node) {
  const json::object* ready = nodeCondition(node, "Ready");
  return ready && field(*ready, "status") == "True";
}

client::IndexFunc podNodeNameIndex() {
  return [](const json::object& pod) {
    const json::value* node = api::findPath(pod, "spec.nodeName");
    if (!node || !node->is_string() || node->get_string().empty()) return std::vector<std::string>{};
    return std::vector<std::string>{std::string(node->get_string())};
  };
}

}  // namespace kcpp::controllers
