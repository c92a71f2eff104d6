#include "controllers/job/indexed_job_utils.h"

#include <charconv>

#include "api/meta/object.h"

namespace kcpp::controllers {

namespace json = boost::json;

namespace {

std::optional<std::int64_t> toIndex(std::string_view s) {
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

std::string_view metaMapValue(const json::object& pod, const char* map, const char* key) {
  const json::object* meta = api::findObject(pod, "metadata");
  const json::object* values = meta ? api::findObject(*meta, map) : nullptr;
  return values ? api::getString(*values, key) : std::string_view();
}

}  // namespace

std::set<std::int64_t> parseIndexes(std::string_view text, std::int64_t completions) {
  std::set<std::int64_t> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    std::string_view part = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    auto dash = part.find('-');
    auto first = toIndex(part.substr(0, dash));
    auto last = dash == std::string_view::npos ? first : toIndex(part.substr(dash + 1));
    if (!first || !last) continue;
    for (std::int64_t i = *first; i <= *last && i < completions; ++i) out.insert(i);
  }
  return out;
}

std::string formatIndexes(const std::set<std::int64_t>& indexes) {
  std::string out;
  for (auto it = indexes.begin(); it != indexes.end();) {
    std::int64_t first = *it, last = *it;
    for (++it; it != indexes.end() && *it == last + 1; ++it) last = *it;
    if (!out.empty()) out += ",";
    out += std::to_string(first);
    if (last > first) out += "-" + std::to_string(last);
  }
  return out;
}

std::optional<std::int64_t> completionIndexOf(const json::object& pod) {
  std::string_view v = metaMapValue(pod, "annotations", kJobCompletionIndexKey);
  if (v.empty()) v = metaMapValue(pod, "labels", kJobCompletionIndexKey);
  return toIndex(v);
}

std::vector<std::int64_t> firstPendingIndexes(const std::set<std::int64_t>& done,
                                              const std::set<std::int64_t>& held, std::size_t count,
                                              std::int64_t completions) {
  std::vector<std::int64_t> out;
  for (std::int64_t i = 0; i < completions && out.size() < count; ++i) {
    if (!done.contains(i) && !held.contains(i)) out.push_back(i);
  }
  return out;
}

std::optional<std::string> matchSuccessPolicy(const boost::json::object& job, const std::set<std::int64_t>& completed,
                                              std::int64_t completions) {
  const boost::json::value* rules = api::findPath(job, "spec.successPolicy.rules");
  if (!rules || !rules->is_array() || completed.empty()) return std::nullopt;
  for (std::size_t i = 0; i < rules->get_array().size(); ++i) {
    const boost::json::value& rule = rules->get_array()[i];
    if (!rule.is_object()) continue;
    const boost::json::object& r = rule.get_object();
    const boost::json::value* count = r.if_contains("succeededCount");
    std::optional<std::int64_t> wanted;
    if (count && count->is_int64()) wanted = count->get_int64();
    const boost::json::value* indexes = r.if_contains("succeededIndexes");
    if (indexes && indexes->is_string()) {
      std::set<std::int64_t> required = parseIndexes(indexes->get_string(), completions);
      if (required.empty()) continue;  // unparsable: never matches, as upstream
      std::int64_t contained = 0;
      for (std::int64_t ix : required) contained += completed.contains(ix);
      if (contained == static_cast<std::int64_t>(required.size()) || (wanted && contained >= *wanted)) {
        return "Matched rules at index " + std::to_string(i);
      }
    } else if (wanted && static_cast<std::int64_t>(completed.size()) >= *wanted) {
      return "Matched rules at index " + std::to_string(i);
    }
  }
  return std::nullopt;
}

}  // namespace kcpp::controllers
