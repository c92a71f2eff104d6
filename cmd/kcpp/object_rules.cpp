#include "object_rules.h"

namespace kcpp::cmd {

apiserver::ObjectRules objectRulesFor(const api::ResourceType& /*type*/,
                                      const api::SchemaSet& /*schemas*/) {
  // Filled in by the defaulting (src/api/defaults) and validation
  // (src/api/validation) rooms.
  return {};
}

}  // namespace kcpp::cmd
