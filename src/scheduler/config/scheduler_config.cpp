#include "scheduler/config/scheduler_config.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "api/meta/object.h"
#include "apiserver/handlers/codec.h"
#include "scheduler/plugins/registry.h"

namespace kcpp::scheduler::config {

namespace json = boost::json;

namespace {

constexpr const char* kApiVersion = "kubescheduler.config.k8s.io/v1";

Error invalid(const std::string& field, const std::string& detail) {
  return makeError(Reason::Invalid, field + ": " + detail);
}

// The list a point holds in a Profile, by the config's field name.
std::vector<std::string>* namesAt(Profile& p, const std::string& point) {
  if (point == "queueSort") return &p.queueSort;
  if (point == "preFilter") return &p.preFilter;
  if (point == "filter") return &p.filter;
  if (point == "postFilter") return &p.postFilter;
  if (point == "preScore") return &p.preScore;
  if (point == "reserve") return &p.reserve;
  if (point == "permit") return &p.permit;
  if (point == "preBind") return &p.preBind;
  if (point == "bind") return &p.bind;
  return nullptr;
}

const char* const kPoints[] = {"queueSort", "preFilter", "filter",  "postFilter", "preScore",
                               "score",     "reserve",   "permit",  "preBind", "bind"};

// "PreFilter" (an interface) → "preFilter" (a config field).
std::string fieldOf(const std::string& point) {
  std::string f = point;
  f[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(f[0])));
  return f;
}

struct PluginEntry {
  std::string name;
  std::int32_t weight = 0;
};

Result<std::vector<PluginEntry>> entries(const json::object& set, std::string_view key, const std::string& field) {
  std::vector<PluginEntry> out;
  const json::value* list = set.if_contains(key);
  if (!list || list->is_null()) return out;
  if (!list->is_array()) return invalid(field, "must be a list");
  for (std::size_t i = 0; i < list->get_array().size(); ++i) {
    const json::value& v = list->get_array()[i];
    std::string at = field + "[" + std::to_string(i) + "]";
    if (!v.is_object()) return invalid(at, "must be an object");
    std::string name(api::getString(v.get_object(), "name"));
    if (name.empty()) return invalid(at + ".name", "Required value");
    std::int32_t weight = 0;
    if (const json::value* w = v.get_object().if_contains("weight"); w && w->is_int64()) {
      weight = static_cast<std::int32_t>(w->get_int64());
    }
    out.push_back({name, weight});
  }
  return out;
}

bool contains(const std::vector<PluginEntry>& list, const std::string& name) {
  return std::any_of(list.begin(), list.end(), [&](const PluginEntry& e) { return e.name == name; });
}

// Applies one point's enabled/disabled to the default names there.
void mergeNames(std::vector<std::string>& names, const std::vector<PluginEntry>& enabled,
                const std::vector<PluginEntry>& disabled) {
  if (contains(disabled, "*")) names.clear();
  std::erase_if(names, [&](const std::string& n) { return contains(disabled, n); });
  for (const PluginEntry& e : enabled) {
    if (std::find(names.begin(), names.end(), e.name) == names.end()) names.push_back(e.name);
  }
}

void mergeScores(std::vector<PluginRef>& score, const std::vector<PluginEntry>& enabled,
                 const std::vector<PluginEntry>& disabled) {
  if (contains(disabled, "*")) score.clear();
  std::erase_if(score, [&](const PluginRef& r) { return contains(disabled, r.name); });
  for (const PluginEntry& e : enabled) {
    auto it = std::find_if(score.begin(), score.end(), [&](const PluginRef& r) { return r.name == e.name; });
    std::int32_t weight = e.weight > 0 ? e.weight : (it != score.end() ? it->weight : 1);
    if (it != score.end()) it->weight = weight;
    else score.push_back({e.name, weight});
  }
}

Result<void> applyMultiPoint(Profile& p, const json::object& multi, const std::string& field) {
  auto enabled = entries(multi, "enabled", field + ".enabled");
  if (!enabled) return std::move(enabled).error();
  auto disabled = entries(multi, "disabled", field + ".disabled");
  if (!disabled) return std::move(disabled).error();
  const auto& table = plugins::extensionPointsOf();
  for (const PluginEntry& e : *enabled) {
    if (!table.count(e.name)) return makeError(Reason::Invalid, field + ": plugin \"" + e.name + "\" does not exist");
  }
  for (const char* point : kPoints) {
    std::vector<PluginEntry> here;
    for (const PluginEntry& e : *enabled) {
      const auto& points = table.at(e.name);
      bool implements = std::any_of(points.begin(), points.end(), [&](const std::string& x) { return fieldOf(x) == point; });
      if (implements) here.push_back(e);
    }
    if (std::string(point) == "score") mergeScores(p.score, here, *disabled);
    else mergeNames(*namesAt(p, point), here, *disabled);
  }
  return {};
}

Result<Profile> parseProfile(const json::object& obj, const std::string& field, int percentage) {
  Profile p = plugins::defaultProfile();
  p.percentageOfNodesToScore = percentage;
  std::string name(api::getString(obj, "schedulerName"));
  if (!name.empty()) p.schedulerName = name;
  if (const json::value* pct = obj.if_contains("percentageOfNodesToScore"); pct && pct->is_int64()) {
    if (pct->get_int64() < 0 || pct->get_int64() > 100) {
      return invalid(field + ".percentageOfNodesToScore",
                     "Invalid value: " + std::to_string(pct->get_int64()) + ": not in valid range [0-100]");
    }
    p.percentageOfNodesToScore = static_cast<int>(pct->get_int64());
  }
  if (const json::object* pluginsObj = api::findObject(obj, "plugins")) {
    if (const json::object* multi = api::findObject(*pluginsObj, "multiPoint")) {
      if (auto ok = applyMultiPoint(p, *multi, field + ".plugins.multiPoint"); !ok) return std::move(ok).error();
    }
    for (const char* point : kPoints) {
      const json::object* set = api::findObject(*pluginsObj, point);
      if (!set) continue;
      std::string at = field + ".plugins." + point;
      auto enabled = entries(*set, "enabled", at + ".enabled");
      if (!enabled) return std::move(enabled).error();
      auto disabled = entries(*set, "disabled", at + ".disabled");
      if (!disabled) return std::move(disabled).error();
      if (std::string(point) == "score") mergeScores(p.score, *enabled, *disabled);
      else mergeNames(*namesAt(p, point), *enabled, *disabled);
    }
  }
  if (const json::value* configs = obj.if_contains("pluginConfig"); configs && configs->is_array()) {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < configs->get_array().size(); ++i) {
      const json::value& c = configs->get_array()[i];
      if (!c.is_object()) continue;
      std::string plugin(api::getString(c.get_object(), "name"));
      std::string at = field + ".pluginConfig[" + std::to_string(i) + "]";
      if (!seen.insert(plugin).second) return invalid(at, "Duplicate value: \"" + plugin + "\"");
      const json::object* args = api::findObject(c.get_object(), "args");
      p.pluginArgs[plugin] = args ? *args : json::object();
    }
  }
  return p;
}

}  // namespace

SchedulerConfiguration defaultConfiguration() {
  SchedulerConfiguration c;
  c.profiles.push_back(plugins::defaultProfile());
  return c;
}

Result<SchedulerConfiguration> parseSchedulerConfiguration(std::string_view yaml) {
  auto parsed = apiserver::yamlToJson(yaml);
  if (!parsed) return std::move(parsed).error();
  if (!parsed->is_object()) return makeError(Reason::BadRequest, "the configuration is not an object");
  const json::object& obj = parsed->get_object();
  std::string apiVersion(api::getString(obj, "apiVersion"));
  std::string kind(api::getString(obj, "kind"));
  if (kind != "KubeSchedulerConfiguration" || apiVersion != kApiVersion) {
    return makeError(Reason::BadRequest, "no kind \"" + kind + "\" is registered for version \"" + apiVersion +
                                             "\" (expected KubeSchedulerConfiguration of " + kApiVersion + ")");
  }
  SchedulerConfiguration c;
  if (const json::value* pct = obj.if_contains("percentageOfNodesToScore"); pct && !pct->is_null()) {
    if (!pct->is_int64() || pct->get_int64() < 0 || pct->get_int64() > 100) {
      return invalid("percentageOfNodesToScore",
                     "Invalid value: " + json::serialize(*pct) + ": not in valid range [0-100]");
    }
    c.percentageOfNodesToScore = static_cast<int>(pct->get_int64());
  }
  for (const char* key : {"podInitialBackoffSeconds", "podMaxBackoffSeconds"}) {
    const json::value* v = obj.if_contains(key);
    if (!v || v->is_null()) continue;
    if (!v->is_int64() || v->get_int64() <= 0) {
      return invalid(key, "Invalid value: " + json::serialize(*v) + ": must be greater than 0");
    }
    (std::string(key) == "podInitialBackoffSeconds" ? c.podInitialBackoffSeconds : c.podMaxBackoffSeconds) =
        static_cast<int>(v->get_int64());
  }
  if (c.podMaxBackoffSeconds < c.podInitialBackoffSeconds) {
    return invalid("podMaxBackoffSeconds", "Invalid value: " + std::to_string(c.podMaxBackoffSeconds) +
                                               ": must be greater than or equal to PodInitialBackoffSeconds");
  }
  if (const json::object* le = api::findObject(obj, "leaderElection")) {
    if (const json::value* v = le->if_contains("leaderElect"); v && v->is_bool()) c.leaderElect = v->get_bool();
  }
  if (const json::object* cc = api::findObject(obj, "clientConnection")) {
    c.kubeconfig = std::string(api::getString(*cc, "kubeconfig"));
    if (const json::value* v = cc->if_contains("qps"); v && v->is_number()) c.qps = v->to_number<double>();
    if (const json::value* v = cc->if_contains("burst"); v && v->is_int64()) c.burst = static_cast<int>(v->get_int64());
  }
  const json::value* profiles = obj.if_contains("profiles");
  if (!profiles || profiles->is_null() || (profiles->is_array() && profiles->get_array().empty())) {
    Profile p = plugins::defaultProfile();
    p.percentageOfNodesToScore = c.percentageOfNodesToScore;
    c.profiles.push_back(std::move(p));
    return c;
  }
  if (!profiles->is_array()) return invalid("profiles", "must be a list");
  std::set<std::string> names;
  for (std::size_t i = 0; i < profiles->get_array().size(); ++i) {
    const json::value& v = profiles->get_array()[i];
    std::string field = "profiles[" + std::to_string(i) + "]";
    if (!v.is_object()) return invalid(field, "must be an object");
    auto profile = parseProfile(v.get_object(), field, c.percentageOfNodesToScore);
    if (!profile) return std::move(profile).error();
    if (!names.insert(profile->schedulerName).second) {
      return invalid(field + ".schedulerName", "Duplicate value: \"" + profile->schedulerName + "\"");
    }
    c.profiles.push_back(std::move(*profile));
  }
  return c;
}

Result<SchedulerConfiguration> loadSchedulerConfiguration(const std::string& path) {
  std::ifstream in(path);
  if (!in) return makeError(Reason::NotFound, "unable to read config file \"" + path + "\"");
  std::stringstream text;
  text << in.rdbuf();
  return parseSchedulerConfiguration(text.str());
}

}  // namespace kcpp::scheduler::config
