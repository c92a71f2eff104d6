#include "controllers/cronjob/posix_tz_rule.h"

#include <cctype>
#include <chrono>

namespace kcpp::controllers {

namespace chrono = std::chrono;

namespace {

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  bool done() const { return i_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[i_]; }
  bool accept(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }
  // A zone abbreviation: <...> or three or more letters.
  bool name() {
    if (accept('<')) {
      while (!done() && peek() != '>') ++i_;
      return accept('>');
    }
    std::size_t start = i_;
    while (std::isalpha(static_cast<unsigned char>(peek()))) ++i_;
    return i_ - start >= 3;
  }
  std::optional<std::int64_t> number() {
    if (!std::isdigit(static_cast<unsigned char>(peek()))) return std::nullopt;
    std::int64_t v = 0;
    while (std::isdigit(static_cast<unsigned char>(peek()))) v = v * 10 + (s_[i_++] - '0');
    return v;
  }
  // [+-]hh[:mm[:ss]] in seconds.
  std::optional<std::int64_t> hms() {
    bool negative = accept('-');
    if (!negative) accept('+');
    auto h = number();
    if (!h) return std::nullopt;
    std::int64_t total = *h * 3600;
    if (accept(':')) {
      auto m = number();
      if (!m) return std::nullopt;
      total += *m * 60;
      if (accept(':')) {
        auto sec = number();
        if (!sec) return std::nullopt;
        total += *sec;
      }
    }
    return negative ? -total : total;
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

template <class Date>
bool readDate(Reader& r, Date& d) {
  if (r.accept('M')) {
    d.kind = 'M';
    auto m = r.number();
    if (!m || !r.accept('.')) return false;
    auto w = r.number();
    if (!w || !r.accept('.')) return false;
    auto wd = r.number();
    if (!wd || *m < 1 || *m > 12 || *w < 1 || *w > 5 || *wd > 6) return false;
    d.month = static_cast<int>(*m);
    d.week = static_cast<int>(*w);
    d.day = static_cast<int>(*wd);
  } else {
    d.kind = r.accept('J') ? 'J' : 'n';
    auto n = r.number();
    if (!n || *n > 365) return false;
    d.day = static_cast<int>(*n);
  }
  if (r.accept('/')) {
    auto t = r.hms();
    if (!t) return false;
    d.time = *t;
  }
  return true;
}

std::int64_t daysOf(chrono::year_month_day ymd) {
  return chrono::sys_days(ymd).time_since_epoch().count();
}

}  // namespace

std::optional<PosixTzRule> PosixTzRule::parse(std::string_view text) {
  Reader r(text);
  PosixTzRule rule;
  if (!r.name()) return std::nullopt;
  auto std = r.hms();
  if (!std) return std::nullopt;
  rule.stdOffset_ = -*std;  // POSIX offsets are west of UTC
  if (r.done()) return rule;
  if (!r.name()) return std::nullopt;
  rule.dstOffset_ = rule.stdOffset_ + 3600;
  if (r.peek() != ',' && !r.done()) {
    auto dst = r.hms();
    if (!dst) return std::nullopt;
    rule.dstOffset_ = -*dst;
  }
  if (r.done()) {  // no rule given: the US rules of POSIX's default
    rule.start_ = Date{'M', 3, 2, 0, 7200};
    rule.end_ = Date{'M', 11, 1, 0, 7200};
    return rule;
  }
  if (!r.accept(',') || !readDate(r, rule.start_) || !r.accept(',') || !readDate(r, rule.end_) || !r.done()) {
    return std::nullopt;
  }
  return rule;
}

std::int64_t PosixTzRule::transition(const Date& d, int year, std::int64_t offsetBefore) const {
  chrono::year y{year};
  std::int64_t day = 0;
  if (d.kind == 'M') {
    chrono::month m{static_cast<unsigned>(d.month)};
    chrono::weekday wanted{static_cast<unsigned>(d.day)};
    if (d.week == 5) {
      chrono::year_month_weekday_last last{y, m, chrono::weekday_last{wanted}};
      day = chrono::sys_days(last).time_since_epoch().count();
    } else {
      chrono::year_month_weekday nth{y, m, chrono::weekday_indexed{wanted, static_cast<unsigned>(d.week)}};
      day = chrono::sys_days(nth).time_since_epoch().count();
    }
  } else {
    std::int64_t jan1 = daysOf(chrono::year_month_day{y, chrono::January, chrono::day{1}});
    std::int64_t n = d.day;
    if (d.kind == 'J') n = n - 1 + (y.is_leap() && n >= 60 ? 1 : 0);
    day = jan1 + n;
  }
  return day * 86400 + d.time - offsetBefore;
}

std::int64_t PosixTzRule::offsetAt(std::int64_t utcSeconds) const {
  if (!dstOffset_) return stdOffset_;
  auto date = chrono::year_month_day{chrono::sys_days{chrono::days{
      (utcSeconds + stdOffset_ >= 0 ? utcSeconds + stdOffset_ : utcSeconds + stdOffset_ - 86399) / 86400}}};
  int year = static_cast<int>(date.year());
  std::int64_t start = transition(start_, year, stdOffset_);
  std::int64_t end = transition(end_, year, *dstOffset_);
  bool dst = start < end ? (utcSeconds >= start && utcSeconds < end) : !(utcSeconds >= end && utcSeconds < start);
  return dst ? *dstOffset_ : stdOffset_;
}

}  // namespace kcpp::controllers
