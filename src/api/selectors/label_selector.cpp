#include "api/selectors/label_selector.h"

#include <algorithm>

namespace kcpp::selectors {

LabelSelector LabelSelector::nothing() {
  LabelSelector s;
  s.nothing_ = true;
  return s;
}

LabelSelector LabelSelector::fromSet(const Labels& set) {
  std::vector<LabelRequirement> requirements;
  requirements.reserve(set.size());
  for (const auto& [key, value] : set) requirements.push_back({key, LabelOp::Equals, {value}});
  return fromRequirements(std::move(requirements));
}

LabelSelector LabelSelector::fromRequirements(std::vector<LabelRequirement> requirements) {
  std::stable_sort(requirements.begin(), requirements.end(),
                   [](const LabelRequirement& a, const LabelRequirement& b) { return a.key < b.key; });
  LabelSelector s;
  s.requirements_ = std::move(requirements);
  return s;
}

bool LabelSelector::matches(const Labels& labels) const {
  if (nothing_) return false;
  return std::all_of(requirements_.begin(), requirements_.end(),
                     [&](const LabelRequirement& r) { return r.matches(labels); });
}

std::string LabelSelector::string() const {
  std::string out;
  for (std::size_t i = 0; i < requirements_.size(); ++i) {
    if (i > 0) out += ',';
    out += requirements_[i].string();
  }
  return out;
}

// As upstream: only the first requirement on the key is considered.
std::optional<std::string> LabelSelector::requiresExactMatch(std::string_view key) const {
  for (const auto& r : requirements_) {
    if (r.key != key) continue;
    bool exact = r.op == LabelOp::Equals || r.op == LabelOp::DoubleEquals || r.op == LabelOp::In;
    if (exact && r.values.size() == 1) return r.values.front();
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace kcpp::selectors
