#include "streaming/log_options.h"

#include <charconv>

#include "api/meta/status.h"

namespace kcpp::streaming {

namespace {

std::optional<int> digits(std::string_view s, std::size_t at, std::size_t n) {
  if (at + n > s.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

std::optional<std::int64_t> parseInt(const std::string& text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// Go's strconv.ParseBool.
std::optional<bool> parseBool(const std::string& text) {
  for (auto t : {"1", "t", "T", "TRUE", "true", "True"}) {
    if (text == t) return true;
  }
  for (auto f : {"0", "f", "F", "FALSE", "false", "False"}) {
    if (text == f) return false;
  }
  return std::nullopt;
}

}  // namespace

std::optional<LogTime> parseRfc3339(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)
  auto year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
  auto hour = digits(s, 11, 2), minute = digits(s, 14, 2), second = digits(s, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  std::size_t at = 19;
  std::int64_t nanos = 0;
  if (at < s.size() && s[at] == '.') {
    ++at;
    int count = 0;
    while (at < s.size() && s[at] >= '0' && s[at] <= '9') {
      if (count < 9) nanos = nanos * 10 + (s[at] - '0');
      ++count;
      ++at;
    }
    if (count == 0) return std::nullopt;
    for (int i = std::min(count, 9); i < 9; ++i) nanos *= 10;
  }
  int offsetMinutes = 0;
  if (at < s.size() && (s[at] == 'Z' || s[at] == 'z')) {
    ++at;
  } else if (at < s.size() && (s[at] == '+' || s[at] == '-')) {
    auto oh = digits(s, at + 1, 2), om = digits(s, at + 4, 2);
    if (!oh || !om || s[at + 3] != ':') return std::nullopt;
    offsetMinutes = (s[at] == '-' ? -1 : 1) * (*oh * 60 + *om);
    at += 6;
  } else {
    return std::nullopt;
  }
  if (at != s.size()) return std::nullopt;
  using namespace std::chrono;
  auto date = year_month_day{std::chrono::year{*year}, std::chrono::month{static_cast<unsigned>(*month)},
                             std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok() || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;
  auto t = sys_days{date} + hours{*hour} + minutes{*minute} + seconds{*second} - minutes{offsetMinutes};
  return LogTime{duration_cast<nanoseconds>(t.time_since_epoch()) + nanoseconds{nanos}};
}

Result<LogOptions> parseLogOptions(const QueryLookup& query, const std::string& podName) {
  LogOptions o;
  auto boolean = [&](const char* key, bool& into) -> Result<void> {
    auto v = query(key);
    if (!v) return {};
    auto b = parseBool(*v);
    if (!b) return api::badRequest("strconv.ParseBool: parsing \"" + *v + "\": invalid syntax");
    into = *b;
    return {};
  };
  auto integer = [&](const char* key, std::optional<std::int64_t>& into) -> Result<void> {
    auto v = query(key);
    if (!v) return {};
    auto n = parseInt(*v);
    if (!n) return api::badRequest("strconv.ParseInt: parsing \"" + *v + "\": invalid syntax");
    into = *n;
    return {};
  };
  for (auto [key, field] : {std::pair{"follow", &o.follow}, std::pair{"previous", &o.previous},
                            std::pair{"timestamps", &o.timestamps}}) {
    if (auto ok = boolean(key, *field); !ok) return ok.error();
  }
  for (auto [key, field] : {std::pair{"tailLines", &o.tailLines}, std::pair{"limitBytes", &o.limitBytes},
                            std::pair{"sinceSeconds", &o.sinceSeconds}}) {
    if (auto ok = integer(key, *field); !ok) return ok.error();
  }
  if (auto v = query("sinceTime")) {
    auto t = parseRfc3339(*v);
    if (!t) {
      return api::badRequest("parsing time \"" + *v + "\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"" +
                             *v + "\" as \"2006\"");
    }
    o.sinceTime = *t;
  }
  // Upstream's ValidatePodLogOptions.
  std::vector<Cause> causes;
  if (o.tailLines && *o.tailLines < 0) {
    causes.push_back(api::fieldInvalidValue("tailLines", std::to_string(*o.tailLines),
                                            "must be greater than or equal to 0"));
  }
  if (o.limitBytes && *o.limitBytes < 1) {
    causes.push_back(api::fieldInvalidValue("limitBytes", std::to_string(*o.limitBytes),
                                            "must be greater than 0"));
  }
  if (o.sinceSeconds && o.sinceTime) {
    causes.push_back(api::fieldForbidden("", "at most one of `sinceTime` or `sinceSeconds` may be specified"));
  } else if (o.sinceSeconds && *o.sinceSeconds < 1) {
    causes.push_back(api::fieldInvalidValue("sinceSeconds", std::to_string(*o.sinceSeconds),
                                            "must be greater than 0"));
  }
  if (!causes.empty()) return api::invalid("PodLogOptions", "", podName, std::move(causes));
  return o;
}

}  // namespace kcpp::streaming
