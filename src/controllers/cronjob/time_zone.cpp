#include "controllers/cronjob/time_zone.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace kcpp::controllers {

namespace {

std::int64_t bigEndian(std::string_view data, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(data[at + i]);
  if (bytes == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
  return static_cast<std::int64_t>(v);
}

struct Header {
  std::int64_t isut, isstd, leap, times, types, chars;
  std::size_t dataSize(int timeBytes) const {
    return static_cast<std::size_t>(times * timeBytes + times + types * 6 + chars + leap * (timeBytes + 4) +
                                    isstd + isut);
  }
};

Result<Header> readHeader(std::string_view data, std::size_t at) {
  if (data.size() < at + 44 || data.substr(at, 4) != "TZif") return makeError(Reason::Invalid, "not a TZif file");
  Header h{};
  std::int64_t* fields[] = {&h.isut, &h.isstd, &h.leap, &h.times, &h.types, &h.chars};
  for (int i = 0; i < 6; ++i) *fields[i] = bigEndian(data, at + 20 + 4 * i, 4);
  if (h.types < 1 || h.times < 0 || h.chars < 0 || h.leap < 0 || h.isut < 0 || h.isstd < 0) {
    return makeError(Reason::Invalid, "malformed TZif header");
  }
  return h;
}

// Names are paths under the zoneinfo directory: refuse anything that could leave it.
bool safeName(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.find("..") != std::string_view::npos) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '+';
  });
}

Result<std::string> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return makeError(Reason::NotFound, "unknown time zone");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

Result<TimeZone> TimeZone::load(std::string_view name, const std::string& zoneinfoDir) {
  if (name.empty() || name == "UTC") return utc();
  std::string path = name == "Local" ? "/etc/localtime" : zoneinfoDir + "/" + std::string(name);
  if (name != "Local" && !safeName(name)) {
    return makeError(Reason::Invalid, "unknown time zone " + std::string(name));
  }
  auto data = readFile(path);
  if (!data) return makeError(Reason::NotFound, "unknown time zone " + std::string(name));
  return fromTzif(*data);
}

Result<TimeZone> TimeZone::fromTzif(std::string_view data) {
  auto first = readHeader(data, 0);
  if (!first) return std::move(first).error();
  std::size_t at = 44;
  int timeBytes = 4;
  Header h = *first;
  if (data[4] >= '2') {  // skip the 32-bit block; read the 64-bit one
    at += first->dataSize(4);
    auto second = readHeader(data, at);
    if (!second) return std::move(second).error();
    h = *second;
    at += 44;
    timeBytes = 8;
  }
  if (data.size() < at + h.dataSize(timeBytes)) return makeError(Reason::Invalid, "truncated TZif file");
  TimeZone zone;
  std::size_t typeIndexes = at + static_cast<std::size_t>(h.times * timeBytes);
  std::size_t types = typeIndexes + static_cast<std::size_t>(h.times);
  auto offsetOfType = [&](std::int64_t t) -> std::int32_t {
    return static_cast<std::int32_t>(bigEndian(data, types + static_cast<std::size_t>(t) * 6, 4));
  };
  for (std::int64_t i = 0; i < h.times; ++i) {
    std::int64_t type = static_cast<unsigned char>(data[typeIndexes + static_cast<std::size_t>(i)]);
    if (type >= h.types) return makeError(Reason::Invalid, "malformed TZif transition");
    zone.transitions_.push_back(bigEndian(data, at + static_cast<std::size_t>(i * timeBytes), timeBytes));
    zone.offsetAfter_.push_back(offsetOfType(type));
  }
  zone.initialOffset_ = offsetOfType(0);
  if (timeBytes == 8) {  // the footer: "\n<POSIX TZ>\n"
    std::string_view rest = data.substr(at + h.dataSize(timeBytes));
    if (rest.size() >= 2 && rest.front() == '\n') {
      std::string_view tz = rest.substr(1, rest.find('\n', 1) - 1);
      if (!tz.empty()) zone.footer_ = PosixTzRule::parse(tz);
    }
  }
  return zone;
}

std::int64_t TimeZone::offsetAt(std::int64_t utcSeconds) const {
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utcSeconds);
  if (footer_ && (transitions_.empty() || utcSeconds >= transitions_.back())) return footer_->offsetAt(utcSeconds);
  if (it == transitions_.begin()) return initialOffset_;
  return offsetAfter_[static_cast<std::size_t>(it - transitions_.begin() - 1)];
}

std::int64_t TimeZone::toUtc(std::int64_t localSeconds) const {
  constexpr std::int64_t kDay = 86400;
  std::int64_t before = offsetAt(localSeconds - kDay);
  std::int64_t after = offsetAt(localSeconds + kDay);
  std::int64_t best = localSeconds - before;
  bool found = false;
  for (std::int64_t offset : {before, after}) {
    std::int64_t utc = localSeconds - offset;
    if (offsetAt(utc) != offset) continue;
    best = found ? std::min(best, utc) : utc;
    found = true;
  }
  return best;
}

}  // namespace kcpp::controllers
