#include "api/schema/schema_set.h"

#include <algorithm>
#include <cctype>
#include <array>
#include <set>

namespace kcpp::api {

namespace json = boost::json;

namespace {

// The short package names of io.k8s.api.<package>.<version>.<Name>.
constexpr std::array<std::string_view, 18> kApiPackages = {
    "core",        "apps",      "batch",          "networking",    "coordination",
    "discovery",   "events",    "rbac",           "storage",       "scheduling",
    "policy",      "autoscaling", "authentication", "authorization", "certificates",
    "admissionregistration", "node", "flowcontrol"};

void collectReferences(const json::value& v, std::vector<std::string>& out) {
  if (v.is_object()) {
    for (const auto& kv : v.get_object()) {
      if (kv.key() == "$ref" && kv.value().is_string()) {
        std::string_view ref = kv.value().get_string();
        if (ref.starts_with(kSchemaRefPrefix)) out.emplace_back(ref.substr(kSchemaRefPrefix.size()));
      } else {
        collectReferences(kv.value(), out);
      }
    }
  } else if (v.is_array()) {
    for (const auto& item : v.get_array()) collectReferences(item, out);
  }
}

}  // namespace

std::string fullDefinitionName(std::string_view name) {
  if (name.starts_with("io.k8s.")) return std::string(name);
  auto first = name.find('.');
  if (first == std::string_view::npos) return "";
  auto second = name.find('.', first + 1);
  if (second == std::string_view::npos) return "";
  std::string_view package = name.substr(0, first);
  std::string_view version = name.substr(first + 1, second - first - 1);
  std::string_view type = name.substr(second + 1);
  if (!version.starts_with('v') || type.empty() || type.find('.') != std::string_view::npos ||
      !std::isupper(static_cast<unsigned char>(type[0]))) {
    return "";
  }
  if (package == "meta") return "io.k8s.apimachinery.pkg.apis." + std::string(name);
  if (std::find(kApiPackages.begin(), kApiPackages.end(), package) == kApiPackages.end()) {
    return "";
  }
  return "io.k8s.api." + std::string(name);
}

const json::object* SchemaSet::definition(std::string_view name) const {
  std::string full = fullDefinitionName(name);
  auto it = definitions_.find(full);
  return it == definitions_.end() ? nullptr : &it->value().get_object();
}

std::string SchemaSet::rootName(std::string_view group, std::string_view version,
                                std::string_view kind) const {
  auto it = byGvk_.find(Gvk{std::string(group), std::string(version), std::string(kind)});
  return it == byGvk_.end() ? "" : it->second;
}

const json::object* SchemaSet::rootFor(std::string_view group, std::string_view version,
                                       std::string_view kind) const {
  std::string name = rootName(group, version, kind);
  return name.empty() ? nullptr : definition(name);
}

std::vector<std::string> SchemaSet::closure(const std::vector<std::string>& roots) const {
  std::set<std::string> seen;
  std::vector<std::string> todo = roots;
  while (!todo.empty()) {
    std::string name = std::move(todo.back());
    todo.pop_back();
    auto it = definitions_.find(name);
    if (it == definitions_.end() || !seen.insert(name).second) continue;
    collectReferences(it->value(), todo);
  }
  return {seen.begin(), seen.end()};
}

json::object SchemaSet::schemasForGroupVersion(std::string_view group, std::string_view version,
                                               const std::vector<std::string>& extraRoots) const {
  std::vector<std::string> roots = extraRoots;
  for (const auto& [gvk, name] : byGvk_) {
    if (std::get<0>(gvk) == group && std::get<1>(gvk) == version) roots.push_back(name);
  }
  json::object out;
  for (const auto& name : closure(roots)) out[name] = definitions_.at(name);
  return out;
}

}  // namespace kcpp::api
