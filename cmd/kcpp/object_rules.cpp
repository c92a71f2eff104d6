#include "object_rules.h"

#include "api/defaults/defaults.h"

namespace kcpp::cmd {

apiserver::ObjectRules objectRulesFor(const api::ResourceType& type,
                                      const api::SchemaSet& schemas) {
  apiserver::ObjectRules rules;
  rules.applyDefaults = api::defaults::defaulterFor(schemas, type);
  // Validation: filled in by the validation room (src/api/validation).
  return rules;
}

}  // namespace kcpp::cmd
