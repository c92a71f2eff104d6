#include "object_rules.h"

#include "api/defaults/defaults.h"
#include "api/validation/validate_object.h"

namespace kcpp::cmd {

apiserver::ObjectRules objectRulesFor(const api::ResourceType& type,
                                      const api::SchemaSet& schemas) {
  apiserver::ObjectRules rules;
  rules.applyDefaults = api::defaults::defaulterFor(schemas, type);
  rules.validate = [type](const boost::json::object& obj, const boost::json::object* old) {
    return api::validateObject(type, obj, old);
  };
  return rules;
}

}  // namespace kcpp::cmd
