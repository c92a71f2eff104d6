#include "api/validation/cron_schedule.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <utility>
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

// robfig's getRange: the bits `expr` ("5", "1-5", "*/10", "3/4", "mon-fri")
// allows, or the error; `star` when it is "*" or "?" with no step above 1.
std::optional<std::string> rangeBits(const std::string& expr, const Bounds& b, std::uint64_t& bits, bool& star) {
  auto rangeAndStep = split(expr, '/', false);
  auto lowHigh = split(rangeAndStep[0], '-', false);
  unsigned start = 0, end = 0, step = 1;
  if (auto err = rangeEnds(lowHigh, expr, b, start, end)) return err;
  bool isStar = lowHigh[0] == "*" || lowHigh[0] == "?";
  if (rangeAndStep.size() == 2) {
    if (auto err = parseInt(rangeAndStep[1], step)) return err;
    if (lowHigh.size() == 1 && !isStar) end = b.max;
    if (step > 1) isStar = false;
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
  for (unsigned v = start; v <= end; v += step) bits |= std::uint64_t{1} << v;
  star = star || isStar;
  return std::nullopt;
}

std::uint64_t allBits(int field) {
  const Bounds& b = boundsOf(field);
  std::uint64_t bits = 0;
  for (unsigned v = b.min; v <= b.max; ++v) bits |= std::uint64_t{1} << v;
  return bits;
}

// robfig's parseDescriptor.
std::variant<CronSchedule, std::string> descriptor(std::string_view spec) {
  constexpr std::string_view every = "@every ";
  if (spec.starts_with(every)) {
    std::string_view d = spec.substr(every.size());
    auto delay = parseGoDuration(d);
    if (!delay) {
      return "failed to parse duration " + std::string(spec) + ": time: invalid duration \"" + std::string(d) + "\"";
    }
    auto seconds = std::max(std::chrono::seconds(1), std::chrono::duration_cast<std::chrono::seconds>(*delay));
    return CronSchedule{CronEvery{seconds}, ""};
  }
  CronFields f{1, 1, allBits(2), allBits(3), allBits(4), true, true};  // @daily / @midnight
  if (spec == "@yearly" || spec == "@annually") {
    f.daysOfMonth = 1 << 1;
    f.months = 1 << 1;
    f.domStar = false;
  } else if (spec == "@monthly") {
    f.daysOfMonth = 1 << 1;
    f.domStar = false;
  } else if (spec == "@weekly") {
    f.daysOfWeek = 1 << 0;
    f.dowStar = false;
  } else if (spec == "@hourly") {
    f.hours = allBits(1);
  } else if (spec != "@daily" && spec != "@midnight") {
    return "unrecognized descriptor: " + std::string(spec);
  }
  return CronSchedule{f, ""};
}

std::string goSlice(const std::vector<std::string>& fields) {
  std::string out = "[";
  for (std::size_t i = 0; i < fields.size(); ++i) out += (i ? " " : "") + fields[i];
  return out + "]";
}

}  // namespace

std::optional<std::chrono::nanoseconds> parseGoDuration(std::string_view text) {
  if (text == "0") return std::chrono::nanoseconds(0);
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  if (i == text.size()) return std::nullopt;
  static const std::pair<const char*, double> kUnits[] = {
      {"ns", 1}, {"us", 1e3}, {"µs", 1e3}, {"μs", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};
  double total = 0;
  while (i < text.size()) {
    std::size_t start = i;
    double value = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) value = value * 10 + (text[i++] - '0');
    bool digits = i > start;
    if (i < text.size() && text[i] == '.') {
      ++i;
      for (double scale = 0.1; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); scale /= 10) {
        value += (text[i++] - '0') * scale;
        digits = true;
      }
    }
    if (!digits) return std::nullopt;
    const std::pair<const char*, double>* unit = nullptr;
    for (const auto& u : kUnits) {
      std::string_view us(u.first);
      // "m" must not swallow the "m" of "ms".
      if (!text.substr(i).starts_with(us) || (us == "m" && text.substr(i).starts_with("ms"))) continue;
      unit = &u;
      break;
    }
    if (!unit) return std::nullopt;
    i += std::string_view(unit->first).size();
    total += value * unit->second;
  }
  return std::chrono::nanoseconds(static_cast<std::int64_t>(negative ? -total : total));
}

bool isGoDuration(std::string_view text) { return parseGoDuration(text).has_value(); }

std::variant<CronSchedule, std::string> parseCronSchedule(std::string_view schedule) {
  if (schedule.empty()) return std::string("empty spec string");
  std::string spec(schedule);
  std::string timeZone;
  if (spec.starts_with("TZ=") || spec.starts_with("CRON_TZ=")) {
    auto space = spec.find(' ');
    if (space == std::string::npos) return std::string("missing time zone field");
    auto eq = spec.find('=');
    timeZone = spec.substr(eq + 1, space - eq - 1);
    spec = spec.substr(space + 1);
    spec.erase(0, spec.find_first_not_of(' '));
  }
  if (spec.starts_with("@")) {
    auto parsed = descriptor(spec);
    if (auto* s = std::get_if<CronSchedule>(&parsed)) s->timeZone = timeZone;
    return parsed;
  }
  auto fields = fieldsOf(spec);
  if (fields.size() != 5) {
    return "expected exactly 5 fields, found " + std::to_string(fields.size()) + ": " + goSlice(fields);
  }
  CronFields f;
  std::uint64_t* bits[] = {&f.minutes, &f.hours, &f.daysOfMonth, &f.months, &f.daysOfWeek};
  bool unusedStar = false;
  bool* stars[] = {&unusedStar, &unusedStar, &f.domStar, &unusedStar, &f.dowStar};
  for (int i = 0; i < 5; ++i) {
    for (const auto& expr : split(fields[i], ',', true)) {
      if (auto err = rangeBits(expr, boundsOf(i), *bits[i], *stars[i])) return *err;
    }
  }
  return CronSchedule{f, timeZone};
}

std::optional<std::string> cronScheduleError(std::string_view schedule) {
  auto parsed = parseCronSchedule(schedule);
  if (auto* err = std::get_if<std::string>(&parsed)) return *err;
  return std::nullopt;
}

}  // namespace kcpp::api::validation
