#pragma once
// Helpers for this room's tests: objects from JSON text, causes as upstream's
// "field: message" strings.

#include <boost/json.hpp>
#include <gmock/gmock.h>

#include <string>
#include <vector>

#include "api/validation/validate_object.h"

namespace kcpp::api::validation::testing {

inline boost::json::object obj(std::string_view text) { return boost::json::parse(text).as_object(); }

inline ResourceType type(std::string group, std::string resource, std::string kind, bool namespaced = true) {
  ResourceType t;
  t.group = std::move(group);
  t.version = "v1";
  t.resource = std::move(resource);
  t.kind = std::move(kind);
  t.namespaced = namespaced;
  return t;
}

inline std::vector<std::string> texts(const std::vector<Cause>& causes) {
  std::vector<std::string> out;
  for (const auto& c : causes) out.push_back(c.field + ": " + c.message);
  return out;
}

inline std::vector<std::string> check(const ResourceType& t, std::string_view text,
                                      std::string_view oldText = "") {
  auto o = obj(text);
  if (oldText.empty()) return texts(validateObject(t, o, nullptr));
  auto old = obj(oldText);
  return texts(validateObject(t, o, &old));
}

}  // namespace kcpp::api::validation::testing
