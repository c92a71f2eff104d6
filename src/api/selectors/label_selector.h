#pragma once
// Label selectors, as upstream's k8s.io/apimachinery/pkg/labels.
//
//   auto sel = LabelSelector::parse("app=web,tier in (a,b),!canary");   // labelSelector=
//   if (!sel) return sel.error();          // 400 BadRequest, upstream's message
//   sel->matches(labels);
//
// The JSON form (metav1.LabelSelector: matchLabels + matchExpressions) is in
// label_selector_json.h.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace kcpp::selectors {

using Labels = std::map<std::string, std::string>;

// selection.Operator. Equals and DoubleEquals behave alike but print as written.
enum class LabelOp { In, NotIn, Equals, DoubleEquals, NotEquals, Exists, DoesNotExist, GreaterThan, LessThan };

// Upstream's spelling of the operator ("in", "notin", "=", "==", "!=", "exists", "!", "gt", "lt").
std::string_view labelOpName(LabelOp op);

// One clause of a selector: key, operator, values. Build through makeRequirement,
// which validates as upstream's NewRequirement does.
struct LabelRequirement {
  std::string key;
  LabelOp op = LabelOp::Exists;
  std::vector<std::string> values;

  bool matches(const Labels& labels) const;
  std::string string() const;
  bool operator==(const LabelRequirement&) const = default;
};

// labels.NewRequirement: validates the key (qualified name), the value count for the
// operator, integer values for Gt/Lt, and each value as a label value. The error
// message is upstream's aggregated field.ErrorList (e.g.
// `values[0][app]: Invalid value: "a b": a valid label must be ...`).
Result<LabelRequirement> makeRequirement(std::string key, LabelOp op, std::vector<std::string> values);

class LabelSelector {
 public:
  // The empty selector: matches everything (labels.Everything()).
  LabelSelector() = default;

  static LabelSelector everything() { return LabelSelector(); }
  // Matches no object at all (labels.Nothing(), e.g. a null metav1.LabelSelector).
  static LabelSelector nothing();
  // labels.Parse: the query-string grammar. Errors are 400 BadRequest with
  // upstream's message (e.g. "unable to parse requirement: found '', expected: ...").
  static Result<LabelSelector> parse(std::string_view text);
  // labels.SelectorFromSet: every key=value must match (no validation); an empty
  // set is everything. For spec.selector maps (Service, ReplicationController).
  static LabelSelector fromSet(const Labels& set);
  // Requirements sorted by key (stable), as upstream's Add.
  static LabelSelector fromRequirements(std::vector<LabelRequirement> requirements);

  bool matches(const Labels& labels) const;
  // True when the selector does not restrict anything (everything()).
  bool empty() const { return !nothing_ && requirements_.empty(); }
  bool matchesNothing() const { return nothing_; }
  // The canonical string form: requirements sorted by key, joined by ','.
  std::string string() const;
  // The single value a label must have for this selector to match (from =, == or
  // a one-value in), if there is one: lets callers use an index.
  std::optional<std::string> requiresExactMatch(std::string_view key) const;
  const std::vector<LabelRequirement>& requirements() const { return requirements_; }

  bool operator==(const LabelSelector&) const = default;

 private:
  std::vector<LabelRequirement> requirements_;
  bool nothing_ = false;
};

}  // namespace kcpp::selectors
