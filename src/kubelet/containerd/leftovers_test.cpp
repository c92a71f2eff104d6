#include "kubelet/containerd/leftovers.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

namespace kcpp::kubelet::containerd {
namespace {
namespace fs = std::filesystem;

// A unix socket file; listening (a live shim) or not (a dead one's leftover).
int makeSocket(const fs::path& path, bool listen) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, path.c_str());
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  if (listen) {
    EXPECT_EQ(::listen(fd, 1), 0);
    return fd;
  }
  ::close(fd);
  return -1;
}

class LeftoversTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base = fs::temp_directory_path() / ("kcpp-leftovers-" + std::to_string(::getpid()));
    fs::remove_all(base);
    fs::create_directories(base / "var/lib/cni");
    dirs.shimSockets = (base / "run/containerd/s").string();
    dirs.fifos = (base / "run/containerd/fifo").string();
    dirs.cniResults = (base / "var/lib/cni/results").string();
    dirs.parents = {(base / "run/containerd").string(), (base / "var/lib/cni").string()};
  }
  void TearDown() override { fs::remove_all(base); }
  fs::path base;
  LeftoverDirs dirs;
};

TEST_F(LeftoversTest, RemovesWhatAppearedAndIsDead) {
  LeftoverTracker tracker(dirs);
  tracker.snapshot();
  fs::create_directories(dirs.shimSockets);
  fs::create_directories(fs::path(dirs.fifos) / "empty");
  fs::create_directories(fs::path(dirs.fifos) / "busy");
  std::ofstream(fs::path(dirs.fifos) / "busy" / "x-stdout");
  makeSocket(fs::path(dirs.shimSockets) / "dead", false);
  int live = makeSocket(fs::path(dirs.shimSockets) / "live", true);

  auto removed = tracker.cleanup();
  EXPECT_FALSE(fs::exists(fs::path(dirs.shimSockets) / "dead"));
  EXPECT_TRUE(fs::exists(fs::path(dirs.shimSockets) / "live"));
  EXPECT_FALSE(fs::exists(fs::path(dirs.fifos) / "empty"));
  EXPECT_TRUE(fs::exists(fs::path(dirs.fifos) / "busy"));
  EXPECT_TRUE(fs::exists(dirs.shimSockets));  // not empty
  ::close(live);
}

TEST_F(LeftoversTest, RemovesDirectoriesItCreatedWhenEmpty) {
  LeftoverTracker tracker(dirs);
  tracker.snapshot();
  fs::create_directories(dirs.shimSockets);
  fs::create_directories(dirs.fifos);
  fs::create_directories(dirs.cniResults);
  makeSocket(fs::path(dirs.shimSockets) / "dead", false);
  tracker.cleanup();
  EXPECT_FALSE(fs::exists(base / "run/containerd"));
  EXPECT_FALSE(fs::exists(dirs.cniResults));
  EXPECT_TRUE(fs::exists(base / "var/lib/cni"));  // existed before: kept even though empty
}

TEST_F(LeftoversTest, KeepsWhatExistedBefore) {
  fs::create_directories(dirs.shimSockets);
  makeSocket(fs::path(dirs.shimSockets) / "old", false);
  LeftoverTracker tracker(dirs);
  tracker.snapshot();
  tracker.cleanup();
  EXPECT_TRUE(fs::exists(fs::path(dirs.shimSockets) / "old"));
}

}  // namespace
}  // namespace kcpp::kubelet::containerd
