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


namespace kcpp::kubelet::server {

namespace asio = boost::asio;

namespace {

std::optional<std::int64_t> parseInt(const std::string& text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<LogEntry> parseCriLogLine(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  auto sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return std::nullopt;
  auto sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return std::nullopt;
  LogEntry e;
  e.timestamp = std::string(line.substr(0, sp1));
  auto time = streaming::parseRfc3339(e.timestamp);
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
