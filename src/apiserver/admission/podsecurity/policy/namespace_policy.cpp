#include "apiserver/admission/podsecurity/policy/namespace_policy.h"

#include <optional>
#include <string_view>

namespace kcpp::apiserver::admission::podsecurity {

namespace {

constexpr std::string_view kLabelPrefix = "pod-security.kubernetes.io/";

std::optional<Level> parseLevel(std::string_view value) {
  if (value == "privileged") return Level::Privileged;
  if (value == "baseline") return Level::Baseline;
  if (value == "restricted") return Level::Restricted;
  return std::nullopt;
}

// "latest" or "v1.<minor>" with no leading zero (upstream's ^v1\.([0-9]|[1-9][0-9]*)$).
bool validVersion(std::string_view value) {
  if (value == "latest") return true;
  if (!value.starts_with("v1.") || value.size() == 3) return false;
  std::string_view minor = value.substr(3);
  if (minor.size() > 1 && minor[0] == '0') return false;
  if (minor.size() > 18) return false;  // beyond the int64 Go parses it into
  for (char c : minor) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

const json::string* labelValue(const json::object* labels, const std::string& key) {
  if (!labels) return nullptr;
  auto it = labels->find(key);
  return it != labels->end() && it->value().is_string() ? &it->value().get_string() : nullptr;
}

// Reads one mode's two labels into `lv`; `badLevel` is the level a bad value means.
void readMode(const json::object* labels, std::string_view mode, Level badLevel, LevelVersion& lv,
              std::vector<LabelError>& errors) {
  std::string levelKey = std::string(kLabelPrefix) + std::string(mode);
  if (const json::string* value = labelValue(labels, levelKey)) {
    if (auto level = parseLevel(*value)) {
      lv.level = *level;
    } else {
      lv.level = badLevel;
      errors.push_back({levelKey, std::string(*value),
                        "must be one of privileged, baseline, restricted"});
    }
  }
  std::string versionKey = levelKey + "-version";
  if (const json::string* value = labelValue(labels, versionKey)) {
    if (validVersion(*value)) {
      lv.version = std::string(*value);
    } else {
      lv.version = "latest";
      errors.push_back({versionKey, std::string(*value), "must be \"latest\" or \"v1.x\""});
    }
  }
}

}  // namespace

std::string LevelVersion::str() const { return std::string(levelName(level)) + ":" + version; }

ParsedPolicy policyFromLabels(const json::object* labels) {
  ParsedPolicy parsed;
  readMode(labels, "enforce", Level::Restricted, parsed.policy.enforce, parsed.errors);
  readMode(labels, "audit", Level::Privileged, parsed.policy.audit, parsed.errors);
  readMode(labels, "warn", Level::Privileged, parsed.policy.warn, parsed.errors);
  return parsed;
}

}  // namespace kcpp::apiserver::admission::podsecurity
