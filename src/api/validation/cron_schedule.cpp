#include "api/validation/cron_schedule.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <vector>

namespace kcpp::api::validation {
namespace {

struct Bounds {
  unsigned min, max;
  std::map<std::string, unsigned> names;
};

const Bounds& boundsOf(int field) {
  static const Bounds minutes{0, 59, {}}, hours{0, 23, {}}, dom{1, 31, {}};
  static const Bounds months{1, 12, {{"jan", 1}, {"feb", 2}, {"mar", 3}, {"apr", 4}, {"may", 5}, {"jun", 6},
                                     {"jul", 7}, {"aug", 8}, {"sep", 9}, {"oct", 10}, {"nov", 11}, {"dec", 12}}};
  static const Bounds dow{0, 6, {{"sun", 0}, {"mon", 1}, {"tue", 2}, {"wed", 3}, {"thu", 4}, {"fri", 5}, {"sat", 6}}};
  static const Bounds* all[] = {&minutes, &hours, &dom, &months, &dow};
  return *all[field];
}

std::vector<std::string> split(std::string_view s, char sep, bool skipEmpty) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    auto end = s.find(sep, start);
    std::string part(s.substr(start, end == s.npos ? s.npos : end - start));
    if (!skipEmpty || !part.empty()) out.push_back(part);
    if (end == s.npos) return out;
    start = end + 1;
  }
}

std::vector<std::string> fieldsOf(std::string_view spec) {
  std::vector<std::string> out;
  std::string current;
  for (char c : spec) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!current.empty()) out.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) out.push_back(current);
  return out;
}

// mustParseInt: strconv.Atoi, then not negative.
std::optional<std::string> parseInt(const std::string& expr, unsigned& value) {
  long long n = 0;
  std::string_view digits = expr;
  bool negative = !digits.empty() && digits[0] == '-';
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) digits.remove_prefix(1);
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size()) {
    std::string reason = ec == std::errc::result_out_of_range ? "value out of range" : "invalid syntax";
    return "failed to parse int from " + expr + ": strconv.Atoi: parsing \"" + expr + "\": " + reason;
  }
  if (negative && n != 0) return "negative number (-" + std::to_string(n) + ") not allowed: " + expr;
  value = static_cast<unsigned>(std::min<long long>(n, 1u << 30));
  return std::nullopt;
}

std::optional<std::string> parseIntOrName(const std::string& expr, const Bounds& b, unsigned& value) {
  std::string lower = expr;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (auto it = b.names.find(lower); it != b.names.end()) {
    value = it->second;
    return std::nullopt;
  }
  return parseInt(expr, value);
}

std::optional<std::string> rangeEnds(const std::vector<std::string>& lowHigh, const std::string& expr,
                                     const Bounds& b, unsigned& start, unsigned& end) {
  if (lowHigh[0] == "*" || lowHigh[0] == "?") {
    start = b.min;
    end = b.max;
    return std::nullopt;
  }
  if (auto err = parseIntOrName(lowHigh[0], b, start)) return err;
  if (lowHigh.size() == 1) {
    end = start;
    return std::nullopt;
  }
  if (lowHigh.size() > 2) return "too many hyphens: " + expr;
  return parseIntOrName(lowHigh[1], b, end);
}

std::optional<std::string> checkRange(const std::string& expr, const Bounds& b) {
  auto rangeAndStep = split(expr, '/', false);
  auto lowHigh = split(rangeAndStep[0], '-', false);
  unsigned start = 0, end = 0, step = 1;
  if (auto err = rangeEnds(lowHigh, expr, b, start, end)) return err;
  if (rangeAndStep.size() == 2) {
    if (auto err = parseInt(rangeAndStep[1], step)) return err;
    if (lowHigh.size() == 1 && lowHigh[0] != "*" && lowHigh[0] != "?") end = b.max;
  } else if (rangeAndStep.size() > 2) {
    return "too many slashes: " + expr;
  }
  if (start < b.min) {
    return "beginning of range (" + std::to_string(start) + ") below minimum (" + std::to_string(b.min) + "): " + expr;
  }
  if (end > b.max) {
    return "end of range (" + std::to_string(end) + ") above maximum (" + std::to_string(b.max) + "): " + expr;
  }
  if (start > end) {
    return "beginning of range (" + std::to_string(start) + ") beyond end of range (" + std::to_string(end) + "): " + expr;
  }
  if (step == 0) return "step of range should be a positive number: " + expr;
  return std::nullopt;
}

std::optional<std::string> descriptorError(std::string_view spec) {
  static const char* kNamed[] = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"};
  for (const char* named : kNamed) {
    if (spec == named) return std::nullopt;
  }
  constexpr std::string_view every = "@every ";
  if (spec.starts_with(every)) {
    std::string_view d = spec.substr(every.size());
    if (isGoDuration(d)) return std::nullopt;
    return "failed to parse duration " + std::string(spec) + ": time: invalid duration \"" + std::string(d) + "\"";
  }
  return "unrecognized descriptor: " + std::string(spec);
}

std::string goSlice(const std::vector<std::string>& fields) {
  std::string out = "[";
  for (std::size_t i = 0; i < fields.size(); ++i) out += (i ? " " : "") + fields[i];
  return out + "]";
}

}  // namespace

bool isGoDuration(std::string_view text) {
  if (text == "0") return true;
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  if (i == text.size()) return false;
  static const char* kUnits[] = {"ns", "us", "µs", "μs", "ms", "s", "m", "h"};
  while (i < text.size()) {
    std::size_t digits = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (i == digits) return false;
    bool unit = false;
    for (const char* u : kUnits) {
      std::string_view us(u);
      if (text.substr(i).starts_with(us)) {
        // "m" must not swallow the "m" of "ms".
        if (us == "m" && text.substr(i).starts_with("ms")) continue;
        i += us.size();
        unit = true;
        break;
      }
    }
    if (!unit) return false;
  }
  return true;
}

std::optional<std::string> cronScheduleError(std::string_view schedule) {
  if (schedule.empty()) return "empty spec string";
  std::string spec(schedule);
  if (spec.starts_with("TZ=") || spec.starts_with("CRON_TZ=")) {
    auto space = spec.find(' ');
    if (space == std::string::npos) return "missing time zone field";
    spec = spec.substr(space + 1);
    spec.erase(0, spec.find_first_not_of(' '));
  }
  if (spec.starts_with("@")) return descriptorError(spec);
  auto fields = fieldsOf(spec);
  if (fields.size() != 5) {
    return "expected exactly 5 fields, found " + std::to_string(fields.size()) + ": " + goSlice(fields);
  }
  for (int f = 0; f < 5; ++f) {
    for (const auto& expr : split(fields[f], ',', true)) {
      if (auto err = checkRange(expr, boundsOf(f))) return err;
    }
  }
  return std::nullopt;
}

}  // namespace kcpp::api::validation
