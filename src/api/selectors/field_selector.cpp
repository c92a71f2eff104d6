#include "api/selectors/field_selector.h"

#include <algorithm>

#include "api/selectors/go_format.h"

namespace kcpp::selectors {
namespace {

Error badRequest(std::string message) { return makeError(Reason::BadRequest, std::move(message)); }

// Splits on ',' not preceded by an escaping '\'.
std::vector<std::string> splitTerms(std::string_view selector) {
  std::vector<std::string> terms;
  if (selector.empty()) return terms;
  std::size_t start = 0;
  bool inSlash = false;
  for (std::size_t i = 0; i < selector.size(); ++i) {
    char c = selector[i];
    if (inSlash) {
      inSlash = false;
    } else if (c == '\\') {
      inSlash = true;
    } else if (c == ',') {
      terms.emplace_back(selector.substr(start, i - start));
      start = i + 1;
    }
  }
  terms.emplace_back(selector.substr(start));
  return terms;
}

struct SplitTerm {
  std::string_view lhs;
  std::string_view op;
  std::string_view rhs;
};

// The first operator from the left; at one position "!=" and "==" win over "=".
std::optional<SplitTerm> splitTerm(std::string_view term) {
  static constexpr std::string_view kOperators[] = {"!=", "==", "="};
  for (std::size_t i = 0; i < term.size(); ++i) {
    for (auto op : kOperators) {
      if (term.substr(i).starts_with(op)) return SplitTerm{term.substr(0, i), op, term.substr(i + op.size())};
    }
  }
  return std::nullopt;
}

// The byte length of the UTF-8 sequence starting with `lead` (1 when invalid).
std::size_t runeLength(unsigned char lead) {
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  if (lead >= 0xE0) return lead < 0xF0 ? 3 : 1;
  if (lead >= 0xC2) return 2;
  return 1;
}

Error invalidEscape(std::string_view sequence) {
  return badRequest("invalid field selector: invalid escape sequence: " + std::string(sequence));
}

}  // namespace

std::string escapeFieldValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\' || c == ',' || c == '=') out += '\\';
    out += c;
  }
  return out;
}

Result<std::string> unescapeFieldValue(std::string_view value) {
  if (value.find_first_of("\\,=") == std::string_view::npos) return std::string(value);
  std::string out;
  bool inSlash = false;
  for (std::size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (inSlash) {
      if (c != '\\' && c != ',' && c != '=') {
        return invalidEscape("\\" + std::string(value.substr(i, runeLength(static_cast<unsigned char>(c)))));
      }
      out += c;
      inSlash = false;
    } else if (c == '\\') {
      inSlash = true;
    } else if (c == ',' || c == '=') {
      // Upstream prints the rune with %v: its code point as a decimal number.
      return badRequest("invalid field selector: unescaped character in value: " + std::to_string(int(c)));
    } else {
      out += c;
    }
  }
  if (inSlash) return invalidEscape("\\");
  return out;
}

Result<FieldSelector> FieldSelector::parse(std::string_view text) {
  auto parts = splitTerms(text);
  std::sort(parts.begin(), parts.end());
  std::vector<FieldRequirement> requirements;
  for (const auto& part : parts) {
    if (part.empty()) continue;
    auto split = splitTerm(part);
    if (!split) return badRequest("invalid selector: '" + std::string(text) + "'; can't understand '" + part + "'");
    auto value = unescapeFieldValue(split->rhs);
    if (!value) return std::move(value).error();
    // A term with neither field nor value ("=") selects nothing and is dropped.
    if (split->lhs.empty() && value->empty()) continue;
    FieldOp op = split->op == "!=" ? FieldOp::NotEquals : FieldOp::Equals;
    requirements.push_back({std::string(split->lhs), op, std::move(value).value()});
  }
  FieldSelector s;
  s.requirements_ = std::move(requirements);
  return s;
}

FieldSelector FieldSelector::fromSet(const Fields& set) {
  FieldSelector s;
  for (const auto& [field, value] : set) s.requirements_.push_back({field, FieldOp::Equals, value});
  return s;
}

bool FieldRequirement::matches(const Fields& fields) const {
  auto it = fields.find(field);
  std::string_view have = it == fields.end() ? std::string_view() : std::string_view(it->second);
  return (op == FieldOp::Equals) == (have == value);
}

std::string FieldRequirement::string() const {
  return field + (op == FieldOp::Equals ? "=" : "!=") + escapeFieldValue(value);
}

bool FieldSelector::matches(const Fields& fields) const {
  return std::all_of(requirements_.begin(), requirements_.end(),
                     [&](const FieldRequirement& r) { return r.matches(fields); });
}

std::string FieldSelector::string() const {
  std::string out;
  for (std::size_t i = 0; i < requirements_.size(); ++i) {
    if (i > 0) out += ',';
    out += requirements_[i].string();
  }
  return out;
}

std::optional<std::string> FieldSelector::requiresExactMatch(std::string_view field) const {
  for (const auto& r : requirements_) {
    if (r.op == FieldOp::Equals && r.field == field) return r.value;
  }
  return std::nullopt;
}

std::vector<std::string> FieldSelector::fieldNames() const {
  std::vector<std::string> names;
  for (const auto& r : requirements_) {
    if (std::find(names.begin(), names.end(), r.field) == names.end()) names.push_back(r.field);
  }
  return names;
}

Result<FieldSelector> FieldSelector::transform(const FieldLabelConverter& convert) const {
  FieldSelector out;
  for (const auto& r : requirements_) {
    auto converted = convert(r.field, r.value);
    if (!converted) return std::move(converted).error();
    auto& [field, value] = converted.value();
    if (field.empty() && value.empty()) continue;
    out.requirements_.push_back({std::move(field), r.op, std::move(value)});
  }
  return out;
}

Error fieldLabelNotSupported(std::string_view field) {
  return badRequest("field label not supported: " + std::string(field));
}

Error unknownFieldSelector(std::string_view field) {
  return badRequest(goQuote(field) + R"( is not a known field selector: only "metadata.name", "metadata.namespace")");
}

Result<void> requireSupportedFields(const FieldSelector& selector, std::span<const std::string_view> supported) {
  for (const auto& r : selector.requirements()) {
    if (std::find(supported.begin(), supported.end(), r.field) == supported.end()) {
      return fieldLabelNotSupported(r.field);
    }
  }
  return {};
}

}  // namespace kcpp::selectors
