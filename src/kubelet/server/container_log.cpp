#include "kubelet/server/container_log.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <deque>
#include <fstream>

#include "api/meta/status.h"

namespace kcpp::kubelet::server {

namespace asio = boost::asio;

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

std::optional<LogEntry> parseCriLogLine(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  auto sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return std::nullopt;
  auto sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return std::nullopt;
  LogEntry e;
  e.timestamp = std::string(line.substr(0, sp1));
  auto time = parseRfc3339(e.timestamp);
  if (!time) return std::nullopt;
  e.time = *time;
  e.stream = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
  if (e.stream != "stdout" && e.stream != "stderr") return std::nullopt;
  // The tag: "F" or "P", possibly with more flags after ':' (CRI's tag format).
  auto sp3 = line.find(' ', sp2 + 1);
  std::string_view tag = line.substr(sp2 + 1, sp3 == std::string_view::npos ? std::string_view::npos
                                                                            : sp3 - sp2 - 1);
  std::string_view first = tag.substr(0, tag.find(':'));
  if (first != "F" && first != "P") return std::nullopt;
  e.partial = first == "P";
  e.text = sp3 == std::string_view::npos ? "" : std::string(line.substr(sp3 + 1));
  return e;
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

std::vector<std::filesystem::path> containerLogFiles(const std::filesystem::path& containerDir) {
  std::vector<std::pair<std::int64_t, std::filesystem::path>> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(containerDir, ec)) {
    auto name = entry.path().filename().string();
    if (!name.ends_with(".log")) continue;
    auto n = parseInt(name.substr(0, name.size() - 4));
    if (n) found.emplace_back(*n, entry.path());
  }
  std::sort(found.begin(), found.end());
  std::vector<std::filesystem::path> files;
  for (auto& [n, path] : found) files.push_back(std::move(path));
  return files;
}

bool LogStreamer::format(const LogEntry& entry, std::string& out) {
  if (since_ && entry.time < *since_) return true;
  std::string piece;
  if (options_.timestamps && atLineStart_) piece = entry.timestamp + " ";
  piece += entry.text;
  if (!entry.partial) piece += '\n';
  atLineStart_ = !entry.partial;
  if (options_.limitBytes) {
    std::int64_t room = *options_.limitBytes - written_;
    if (room <= 0) return false;
    if (static_cast<std::int64_t>(piece.size()) > room) {
      piece.resize(static_cast<std::size_t>(room));
    }
  }
  written_ += static_cast<std::int64_t>(piece.size());
  out += piece;
  return !options_.limitBytes || written_ < *options_.limitBytes;
}

asio::awaitable<Result<void>> LogStreamer::stream(const std::filesystem::path& file, Write write) {
  std::ifstream in(file, std::ios::binary);
  if (!in) co_return makeError(Reason::NotFound, "failed to open log file " + file.string());
  if (options_.sinceSeconds) {
    since_ = std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now()) -
             std::chrono::seconds(*options_.sinceSeconds);
  } else if (options_.sinceTime) {
    since_ = options_.sinceTime;
  }
  // The existing content: with tailLines only the last N entries.
  std::deque<LogEntry> entries;
  std::string line;
  std::streampos consumed = 0;
  while (std::getline(in, line)) {
    if (in.eof()) break;  // an incomplete last line: read it again when followed
    consumed = in.tellg();
    auto entry = parseCriLogLine(line);
    if (!entry) continue;
    entries.push_back(std::move(*entry));
    if (options_.tailLines && entries.size() > static_cast<std::size_t>(*options_.tailLines)) {
      entries.pop_front();
    }
  }
  std::string out;
  bool more = true;
  for (const auto& entry : entries) {
    if (!(more = format(entry, out))) break;
  }
  if (!out.empty() && !co_await write(std::move(out))) co_return Result<void>{};
  if (!more || !options_.follow) co_return Result<void>{};
  // Follow: poll for appended lines (rotation is not followed).
  asio::steady_timer timer(co_await asio::this_coro::executor);
  std::string carry;
  for (;;) {
    bool running = stillRunning_();
    in.clear();
    in.seekg(consumed);
    std::string appended;
    char buf[16 * 1024];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) appended.append(buf, static_cast<std::size_t>(in.gcount()));
    consumed += static_cast<std::streamoff>(appended.size());
    carry += appended;
    std::size_t start = 0;
    out.clear();
    for (auto nl = carry.find('\n'); nl != std::string::npos; nl = carry.find('\n', start)) {
      auto entry = parseCriLogLine(std::string_view(carry).substr(start, nl - start));
      start = nl + 1;
      if (entry && !(more = format(*entry, out))) break;
    }
    carry.erase(0, start);
    if (!out.empty() && !co_await write(std::move(out))) co_return Result<void>{};
    if (!more || !running) co_return Result<void>{};
    timer.expires_after(pollInterval_);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

}  // namespace kcpp::kubelet::server
