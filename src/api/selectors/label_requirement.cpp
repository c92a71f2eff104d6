// LabelRequirement: construction with upstream's validation, matching, printing.
#include <algorithm>
#include <charconv>
#include <cstdint>

#include "api/selectors/go_format.h"
#include "api/selectors/label_selector.h"
#include "api/selectors/label_validation.h"

namespace kcpp::selectors {
namespace {

// Go's strconv.ParseInt(s, 10, 64): optional sign, decimal digits, int64 range.
std::optional<std::int64_t> parseInt64(std::string_view s) {
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
    if (!s.empty() && s.front() == '-') return std::nullopt;
  }
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string joinErrors(const std::vector<std::string>& errs) {
  std::string out;
  for (std::size_t i = 0; i < errs.size(); ++i) out += (i ? "; " : "") + errs[i];
  return out;
}

std::string invalid(const std::string& field, const std::string& quotedValue, const std::string& detail) {
  return field + ": Invalid value: " + quotedValue + ": " + detail;
}

void checkValueCount(LabelOp op, const std::vector<std::string>& values, std::vector<std::string>& errs) {
  auto bad = [&](const char* detail) { errs.push_back(invalid("values", goStringSlice(values), detail)); };
  switch (op) {
    case LabelOp::In:
    case LabelOp::NotIn:
      if (values.empty()) bad("for 'in', 'notin' operators, values set can't be empty");
      break;
    case LabelOp::Equals:
    case LabelOp::DoubleEquals:
    case LabelOp::NotEquals:
      if (values.size() != 1) bad("exact-match compatibility requires one single value");
      break;
    case LabelOp::Exists:
    case LabelOp::DoesNotExist:
      if (!values.empty()) bad("values set must be empty for exists and does not exist");
      break;
    case LabelOp::GreaterThan:
    case LabelOp::LessThan:
      if (values.size() != 1) bad("for 'Gt', 'Lt' operators, exactly one value is required");
      for (std::size_t i = 0; i < values.size(); ++i) {
        if (parseInt64(values[i])) continue;
        errs.push_back(invalid("values[" + std::to_string(i) + "]", goQuote(values[i]),
                               "for 'Gt', 'Lt' operators, the value must be an integer"));
      }
      break;
  }
}

bool contains(const std::vector<std::string>& values, const std::string& v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

bool compareInt(const LabelRequirement& r, const std::string& labelValue) {
  auto have = parseInt64(labelValue);
  if (!have || r.values.size() != 1) return false;
  auto want = parseInt64(r.values.front());
  if (!want) return false;
  return r.op == LabelOp::GreaterThan ? *have > *want : *have < *want;
}

std::string_view infix(LabelOp op) {
  switch (op) {
    case LabelOp::Equals: return "=";
    case LabelOp::DoubleEquals: return "==";
    case LabelOp::NotEquals: return "!=";
    case LabelOp::In: return " in ";
    case LabelOp::NotIn: return " notin ";
    case LabelOp::GreaterThan: return ">";
    case LabelOp::LessThan: return "<";
    case LabelOp::Exists:
    case LabelOp::DoesNotExist: return "";
  }
  return "";
}

}  // namespace

std::string_view labelOpName(LabelOp op) {
  switch (op) {
    case LabelOp::In: return "in";
    case LabelOp::NotIn: return "notin";
    case LabelOp::Equals: return "=";
    case LabelOp::DoubleEquals: return "==";
    case LabelOp::NotEquals: return "!=";
    case LabelOp::Exists: return "exists";
    case LabelOp::DoesNotExist: return "!";
    case LabelOp::GreaterThan: return "gt";
    case LabelOp::LessThan: return "lt";
  }
  return "";
}

Result<LabelRequirement> makeRequirement(std::string key, LabelOp op, std::vector<std::string> values) {
  std::vector<std::string> errs;
  if (auto keyErrs = qualifiedNameErrors(key); !keyErrs.empty()) {
    errs.push_back(invalid("key", goQuote(key), joinErrors(keyErrs)));
  }
  checkValueCount(op, values, errs);
  for (std::size_t i = 0; i < values.size(); ++i) {
    auto valueErrs = labelValueErrors(values[i]);
    if (valueErrs.empty()) continue;
    errs.push_back(invalid("values[" + std::to_string(i) + "][" + key + "]", goQuote(values[i]),
                           joinErrors(valueErrs)));
  }
  if (!errs.empty()) return makeError(Reason::BadRequest, goAggregate(errs));
  return LabelRequirement{std::move(key), op, std::move(values)};
}

bool LabelRequirement::matches(const Labels& labels) const {
  auto it = labels.find(key);
  bool has = it != labels.end();
  switch (op) {
    case LabelOp::In:
    case LabelOp::Equals:
    case LabelOp::DoubleEquals:
      return has && contains(values, it->second);
    case LabelOp::NotIn:
    case LabelOp::NotEquals:
      return !has || !contains(values, it->second);
    case LabelOp::Exists:
      return has;
    case LabelOp::DoesNotExist:
      return !has;
    case LabelOp::GreaterThan:
    case LabelOp::LessThan:
      return has && compareInt(*this, it->second);
  }
  return false;
}

std::string LabelRequirement::string() const {
  std::string out = op == LabelOp::DoesNotExist ? "!" + key : key;
  if (op == LabelOp::Exists || op == LabelOp::DoesNotExist) return out;
  out += infix(op);
  bool set = op == LabelOp::In || op == LabelOp::NotIn;
  if (set) out += '(';
  std::vector<std::string> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < sorted.size(); ++i) out += (i ? "," : "") + sorted[i];
  if (set) out += ')';
  return out;
}

}  // namespace kcpp::selectors
