#include "api/selectors/label_selector_json.h"

#include <optional>

#include "api/selectors/go_format.h"
#include "api/selectors/label_validation.h"

namespace kcpp::selectors {
namespace {

struct Expression {
  std::string key;
  std::string op;
  std::vector<std::string> values;
};

struct SelectorFields {
  std::vector<std::pair<std::string, std::string>> matchLabels;
  std::vector<Expression> matchExpressions;
};

Error malformed(std::string_view what) {
  return makeError(Reason::BadRequest, "invalid label selector: " + std::string(what));
}

std::optional<std::string> optionalString(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null()) return std::string();
  if (!v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

Result<std::vector<std::string>> readValues(const boost::json::object& expr) {
  std::vector<std::string> values;
  const auto* v = expr.if_contains("values");
  if (!v || v->is_null()) return values;
  if (!v->is_array()) return malformed("matchExpressions[].values must be an array of strings");
  for (const auto& item : v->get_array()) {
    if (!item.is_string()) return malformed("matchExpressions[].values must be an array of strings");
    values.emplace_back(item.get_string());
  }
  return values;
}

Result<Expression> readExpression(const boost::json::value& v) {
  if (!v.is_object()) return malformed("matchExpressions must be an array of objects");
  const auto& o = v.get_object();
  auto key = optionalString(o, "key");
  auto op = optionalString(o, "operator");
  if (!key || !op) return malformed("matchExpressions[].key and operator must be strings");
  auto values = readValues(o);
  if (!values) return std::move(values).error();
  return Expression{std::move(*key), std::move(*op), std::move(values).value()};
}

Result<void> readMatchLabels(const boost::json::object& o, SelectorFields& out) {
  const auto* v = o.if_contains("matchLabels");
  if (!v || v->is_null()) return {};
  if (!v->is_object()) return malformed("matchLabels must be an object of strings");
  for (const auto& [key, value] : v->get_object()) {
    if (!value.is_string()) return malformed("matchLabels must be an object of strings");
    out.matchLabels.emplace_back(std::string(key), std::string(value.get_string()));
  }
  return {};
}

Result<void> readMatchExpressions(const boost::json::object& o, SelectorFields& out) {
  const auto* v = o.if_contains("matchExpressions");
  if (!v || v->is_null()) return {};
  if (!v->is_array()) return malformed("matchExpressions must be an array of objects");
  for (const auto& item : v->get_array()) {
    auto expr = readExpression(item);
    if (!expr) return std::move(expr).error();
    out.matchExpressions.push_back(std::move(expr).value());
  }
  return {};
}

Result<SelectorFields> readSelector(const boost::json::value& selector) {
  if (!selector.is_object()) return malformed("must be an object");
  SelectorFields fields;
  if (auto r = readMatchLabels(selector.get_object(), fields); !r) return std::move(r).error();
  if (auto r = readMatchExpressions(selector.get_object(), fields); !r) return std::move(r).error();
  return fields;
}

std::optional<LabelOp> selectorOperator(std::string_view op) {
  if (op == "In") return LabelOp::In;
  if (op == "NotIn") return LabelOp::NotIn;
  if (op == "Exists") return LabelOp::Exists;
  if (op == "DoesNotExist") return LabelOp::DoesNotExist;
  return std::nullopt;
}

std::string child(const std::string& path, std::string_view name) {
  return path.empty() ? std::string(name) : path + "." + std::string(name);
}

Cause invalidCause(std::string field, std::string_view value, const std::string& detail) {
  return {"FieldValueInvalid", "Invalid value: " + goQuote(value) + ": " + detail, std::move(field)};
}

void validateLabelName(std::string_view name, const std::string& field, std::vector<Cause>& causes) {
  for (const auto& msg : qualifiedNameErrors(name)) causes.push_back(invalidCause(field, name, msg));
}

void validateOperator(const Expression& e, const std::string& path, bool allowUnknown,
                      std::vector<Cause>& causes) {
  auto op = selectorOperator(e.op);
  if (op == LabelOp::In || op == LabelOp::NotIn) {
    if (e.values.empty()) {
      causes.push_back({"FieldValueRequired",
                        "Required value: must be specified when `operator` is 'In' or 'NotIn'", child(path, "values")});
    }
  } else if (op) {
    if (!e.values.empty()) {
      causes.push_back({"FieldValueForbidden",
                        "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                        child(path, "values")});
    }
  } else if (!allowUnknown) {
    causes.push_back(invalidCause(child(path, "operator"), e.op, "not a valid selector operator"));
  }
}

void validateExpression(const Expression& e, const std::string& path, const LabelSelectorValidationOptions& options,
                        std::vector<Cause>& causes) {
  validateOperator(e, path, options.allowUnknownOperatorInRequirement, causes);
  validateLabelName(e.key, child(path, "key"), causes);
  if (options.allowInvalidLabelValueInSelector) return;
  for (std::size_t i = 0; i < e.values.size(); ++i) {
    for (const auto& msg : labelValueErrors(e.values[i])) {
      causes.push_back(invalidCause(child(path, "values[" + std::to_string(i) + "]"), e.values[i], msg));
    }
  }
}

}  // namespace

Result<LabelSelector> labelSelectorFromJson(const boost::json::value& selector) {
  if (selector.is_null()) return LabelSelector::nothing();
  auto fields = readSelector(selector);
  if (!fields) return std::move(fields).error();
  std::vector<LabelRequirement> requirements;
  for (auto& [key, value] : fields->matchLabels) {
    auto r = makeRequirement(key, LabelOp::Equals, {value});
    if (!r) return std::move(r).error();
    requirements.push_back(std::move(r).value());
  }
  for (auto& e : fields->matchExpressions) {
    auto op = selectorOperator(e.op);
    if (!op) return makeError(Reason::BadRequest, goQuote(e.op) + " is not a valid label selector operator");
    auto r = makeRequirement(e.key, *op, e.values);
    if (!r) return std::move(r).error();
    requirements.push_back(std::move(r).value());
  }
  return LabelSelector::fromRequirements(std::move(requirements));
}

std::vector<Cause> validateLabelSelector(const boost::json::value& selector, std::string_view fieldPath,
                                         const LabelSelectorValidationOptions& options) {
  std::vector<Cause> causes;
  if (selector.is_null()) return causes;
  std::string path(fieldPath);
  auto fields = readSelector(selector);
  if (!fields) {
    causes.push_back({"FieldValueInvalid", fields.error().message, path});
    return causes;
  }
  for (const auto& [key, value] : fields->matchLabels) {
    validateLabelName(key, child(path, "matchLabels"), causes);
    for (const auto& msg : labelValueErrors(value)) causes.push_back(invalidCause(child(path, "matchLabels"), value, msg));
  }
  for (std::size_t i = 0; i < fields->matchExpressions.size(); ++i) {
    validateExpression(fields->matchExpressions[i], child(path, "matchExpressions[" + std::to_string(i) + "]"), options,
                       causes);
  }
  return causes;
}

}  // namespace kcpp::selectors
