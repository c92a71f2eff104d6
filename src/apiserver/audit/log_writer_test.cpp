#include "apiserver/audit/log_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace kcpp::apiserver::audit {
namespace {

namespace fs = std::filesystem;

class LogWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kcpp-audit-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::vector<fs::path> backups() {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir_)) {
      if (e.path().filename() != "audit.log") out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  fs::path dir_;
};

TEST_F(LogWriterTest, WritesOneLinePerEventFromManyThreads) {
  auto writer = LogWriter::open({(dir_ / "audit.log").string()});
  ASSERT_TRUE(writer);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) (*writer)->write("{\"t\":" + std::to_string(t) + "}");
    });
  }
  for (auto& t : threads) t.join();
  (*writer)->flush();
  std::string text = read(dir_ / "audit.log");
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 4000);
  EXPECT_EQ(text.find("}{"), std::string::npos);
}

TEST_F(LogWriterTest, AppendsToAnExistingFile) {
  { std::ofstream(dir_ / "audit.log") << "old\n"; }
  {
    auto writer = LogWriter::open({(dir_ / "audit.log").string()});
    ASSERT_TRUE(writer);
    (*writer)->write("new");
  }  // the destructor writes what is queued
  EXPECT_EQ(read(dir_ / "audit.log"), "old\nnew\n");
}

TEST_F(LogWriterTest, RotatesBySizeAndKeepsMaxBackups) {
  LogWriterOptions options{(dir_ / "audit.log").string(), 1, 2, 0};
  auto writer = LogWriter::open(options);
  ASSERT_TRUE(writer);
  std::string line(300 * 1024, 'x');  // ~0.3 MB: a new file every 3 lines
  for (int i = 0; i < 12; ++i) {
    (*writer)->write(line);
    (*writer)->flush();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // distinct backup names
  }
  auto kept = backups();
  ASSERT_EQ(kept.size(), 2u);
  for (const auto& b : kept) {
    EXPECT_TRUE(b.filename().string().starts_with("audit-")) << b;
    EXPECT_EQ(b.extension(), ".log");
    EXPECT_LE(fs::file_size(b), 1024u * 1024u);
  }
  EXPECT_LE(fs::file_size(dir_ / "audit.log"), 1024u * 1024u);
}

TEST_F(LogWriterTest, DropsRatherThanQueueWithoutBound) {
  LogWriterOptions options{(dir_ / "audit.log").string()};
  options.maxQueuedBytes = 10;
  auto writer = LogWriter::open(options);
  ASSERT_TRUE(writer);
  (*writer)->write(std::string(100, 'x'));
  EXPECT_EQ((*writer)->dropped(), 1u);
}

TEST_F(LogWriterTest, UnwritablePathIsAnError) {
  { std::ofstream(dir_ / "file") << "x"; }
  auto writer = LogWriter::open({(dir_ / "file" / "audit.log").string()});
  EXPECT_FALSE(writer);
}

}  // namespace
}  // namespace kcpp::apiserver::audit
