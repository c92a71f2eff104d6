#pragma once
// The POSIX TZ string a TZif file ends with ("CET-1CEST,M3.5.0,M10.5.0/3"),
// which gives the offsets after the file's last transition (RFC 8536 §3.3).
// "Slim" TZif files rely on it for every year after 2007; fat ones from 2038.

#include <cstdint>
#include <optional>
#include <string_view>

namespace kcpp::controllers {

class PosixTzRule {
 public:
  static std::optional<PosixTzRule> parse(std::string_view text);
  // Seconds east of UTC at the instant `utcSeconds`.
  std::int64_t offsetAt(std::int64_t utcSeconds) const;

 private:
  // A change date: Mm.w.d (month, week 1-5 with 5 the last, weekday), Jn
  // (1-365, no leap day) or n (0-365), and the local time of day it happens.
  struct Date {
    char kind = 'M';  // 'M', 'J' or 'n'
    int month = 0, week = 0, day = 0;
    std::int64_t time = 7200;
  };
  std::int64_t transition(const Date& d, int year, std::int64_t offsetBefore) const;

  std::int64_t stdOffset_ = 0;  // east of UTC
  std::optional<std::int64_t> dstOffset_;
  Date start_, end_;
};

}  // namespace kcpp::controllers
