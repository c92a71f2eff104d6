#include "kubelet/server/container_log.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <fstream>

namespace kcpp::kubelet::server {
namespace {

namespace asio = boost::asio;

TEST(CriLog, ParsesLines) {
  auto e = parseCriLogLine("2016-10-06T00:17:09.669794202Z stdout P log content 1");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->stream, "stdout");
  EXPECT_TRUE(e->partial);
  EXPECT_EQ(e->text, "log content 1");
  EXPECT_EQ(e->timestamp, "2016-10-06T00:17:09.669794202Z");
  auto f = parseCriLogLine("2016-10-06T00:17:10+02:00 stderr F:x done\n");
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->partial);
  EXPECT_EQ(f->text, "done");
  EXPECT_LT(f->time, e->time);  // 00:17:10+02:00 is 22:17:10Z the day before
  EXPECT_FALSE(parseCriLogLine("garbage"));
  EXPECT_FALSE(parseCriLogLine("2016-10-06T00:17:09Z stdin F x"));
  EXPECT_FALSE(parseCriLogLine("2016-10-06T00:17:09Z stdout X x"));
}

TEST(LogOptions, ValidatesAsUpstream) {
  auto query = [](std::map<std::string, std::string> q) {
    return [q](const std::string& k) -> std::optional<std::string> {
      auto it = q.find(k);
      if (it == q.end()) return std::nullopt;
      return it->second;
    };
  };
  auto bad = streaming::parseLogOptions(query({{"tailLines", "-1"}}), "web");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), 422);
  EXPECT_EQ(bad.error().message,
            "PodLogOptions \"web\" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0");
  auto both = streaming::parseLogOptions(query({{"sinceSeconds", "5"}, {"sinceTime", "2024-01-01T00:00:00Z"}}), "web");
  ASSERT_FALSE(both);
  EXPECT_NE(both.error().message.find("at most one of `sinceTime` or `sinceSeconds` may be specified"),
            std::string::npos);
  auto nan = streaming::parseLogOptions(query({{"limitBytes", "x"}}), "web");
  ASSERT_FALSE(nan);
  EXPECT_EQ(nan.error().code(), 400);
  auto ok = streaming::parseLogOptions(query({{"follow", "true"}, {"tailLines", "2"}}), "web");
  ASSERT_TRUE(ok);
  EXPECT_TRUE(ok->follow);
  EXPECT_EQ(ok->tailLines, 2);
}

std::string streamFile(const std::string& content, LogOptions options) {
  auto path = std::filesystem::temp_directory_path() / ("kcpp-log-" + std::to_string(::getpid()) + ".log");
  std::ofstream(path) << content;
  asio::io_context io;
  std::string out;
  LogStreamer streamer(options, std::chrono::milliseconds(10), [] { return false; });
  auto done = asio::co_spawn(
      io,
      [&]() -> asio::awaitable<Result<void>> {
        co_return co_await streamer.stream(path, [&](std::string s) -> asio::awaitable<bool> {
          out += s;
          co_return true;
        });
      },
      asio::use_future);
  io.run();
  EXPECT_TRUE(done.get());
  std::filesystem::remove(path);
  return out;
}

const char* kLog =
    "2024-01-01T00:00:00Z stdout F one\n"
    "2024-01-01T00:00:01Z stdout P tw\n"
    "2024-01-01T00:00:02Z stdout F o\n"
    "2024-01-01T00:00:03Z stderr F three\n";

TEST(LogStreamer, JoinsPartialsAndAppliesOptions) {
  EXPECT_EQ(streamFile(kLog, {}), "one\ntwo\nthree\n");
  LogOptions tail;
  tail.tailLines = 1;
  EXPECT_EQ(streamFile(kLog, tail), "three\n");
  LogOptions stamps;
  stamps.timestamps = true;
  stamps.tailLines = 3;
  EXPECT_EQ(streamFile(kLog, stamps), "2024-01-01T00:00:01Z two\n2024-01-01T00:00:03Z three\n");
  LogOptions limit;
  limit.limitBytes = 6;
  EXPECT_EQ(streamFile(kLog, limit), "one\ntw");
  LogOptions since;
  since.sinceTime = streaming::parseRfc3339("2024-01-01T00:00:02Z");
  EXPECT_EQ(streamFile(kLog, since), "o\nthree\n");
}

}  // namespace
}  // namespace kcpp::kubelet::server
