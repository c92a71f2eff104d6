#pragma once
// Field selectors, as upstream's k8s.io/apimachinery/pkg/fields:
//   fieldSelector=metadata.name=x,status.phase!=Running
// Terms are field=value, field==value or field!=value, joined by ','; in values,
// '\', ',' and '=' are escaped with '\'. A missing field reads as "".
//
// Which fields a resource supports is the API layer's business: it calls
// transform() with the kind's converter (or requireSupportedFields) and answers
// 400 BadRequest with the returned error.

#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/error.h"

namespace kcpp::selectors {

using Fields = std::map<std::string, std::string>;

enum class FieldOp { Equals, NotEquals };

struct FieldRequirement {
  std::string field;
  FieldOp op = FieldOp::Equals;
  std::string value;  // unescaped

  bool matches(const Fields& fields) const;
  std::string string() const;  // "field=value" with the value escaped
  bool operator==(const FieldRequirement&) const = default;
};

// A kind's field label conversion (runtime.Scheme.ConvertFieldLabel): returns the
// (possibly renamed) field and value, or an error for an unsupported field.
using FieldLabelConverter =
    std::function<Result<std::pair<std::string, std::string>>(const std::string& field, const std::string& value)>;

class FieldSelector {
 public:
  // The empty selector: matches everything.
  FieldSelector() = default;

  // fields.ParseSelector. Errors are 400 BadRequest with upstream's message, e.g.
  // "invalid selector: 'a'; can't understand 'a'".
  static Result<FieldSelector> parse(std::string_view text);
  // fields.SelectorFromSet: every field must equal its value.
  static FieldSelector fromSet(const Fields& set);

  bool matches(const Fields& fields) const;
  bool empty() const { return requirements_.empty(); }
  std::string string() const;
  // The value `field` must have (from a field=value term), if any: e.g.
  // "metadata.name=x" gives "x" for "metadata.name".
  std::optional<std::string> requiresExactMatch(std::string_view field) const;
  // The distinct field names used, in order.
  std::vector<std::string> fieldNames() const;
  const std::vector<FieldRequirement>& requirements() const { return requirements_; }

  // Selector.Transform: rewrites every term through `convert`; a term converted to
  // an empty field and value is dropped. The first error is returned as is.
  Result<FieldSelector> transform(const FieldLabelConverter& convert) const;

  bool operator==(const FieldSelector&) const = default;

 private:
  std::vector<FieldRequirement> requirements_;
};

// fields.EscapeValue / UnescapeValue.
std::string escapeFieldValue(std::string_view value);
Result<std::string> unescapeFieldValue(std::string_view value);

// 400 "field label not supported: <field>": what kinds with their own field
// conversion (pods, nodes, events, custom resources, ...) answer.
Error fieldLabelNotSupported(std::string_view field);
// 400 `"<field>" is not a known field selector: only "metadata.name", "metadata.namespace"`:
// what kinds without their own conversion answer (runtime.DefaultMetaV1FieldSelectorConversion).
Error unknownFieldSelector(std::string_view field);

// The first field of `selector` (in its sorted term order, as upstream reports it)
// not in `supported` gives fieldLabelNotSupported.
Result<void> requireSupportedFields(const FieldSelector& selector, std::span<const std::string_view> supported);

}  // namespace kcpp::selectors
