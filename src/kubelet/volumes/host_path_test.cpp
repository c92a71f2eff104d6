#include "kubelet/volumes/host_path.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "pki/test_temp_dir.h"

namespace kcpp::kubelet::volumes {
namespace {

namespace fs = std::filesystem;

std::string failure(const std::string& path, const std::string& type) {
  auto r = checkHostPathType(path, type);
  return r.ok() ? "ok" : r.error().message;
}

TEST(HostPathTest, CreatesWhatOrCreateTypesAsk) {
  pki::TempDir dir;
  std::string d = (dir.path() / "a/b").string();
  EXPECT_EQ(failure(d, "DirectoryOrCreate"), "ok");
  EXPECT_TRUE(fs::is_directory(d));
  struct stat st {};
  ::stat(d.c_str(), &st);
  EXPECT_EQ(st.st_mode & 0777, 0755u);
  std::string f = (dir.path() / "file").string();
  EXPECT_EQ(failure(f, "FileOrCreate"), "ok");
  EXPECT_TRUE(fs::is_regular_file(f));
  EXPECT_EQ(failure(f, "File"), "ok");
  EXPECT_EQ(failure(d, "Directory"), "ok");
  // FileOrCreate does not make parents (upstream's MakeFile).
  EXPECT_NE(failure((dir.path() / "no/such").string(), "FileOrCreate"), "ok");
}

TEST(HostPathTest, TypeMismatchesCarryUpstreamMessages) {
  pki::TempDir dir;
  std::string f = (dir.path() / "file").string();
  std::ofstream(f) << "x";
  std::string d = dir.path().string();
  std::string missing = (dir.path() / "missing").string();
  EXPECT_EQ(failure(f, "Directory"), "hostPath type check failed: " + f + " is not a directory");
  EXPECT_EQ(failure(f, "DirectoryOrCreate"), "hostPath type check failed: " + f + " is not a directory");
  EXPECT_EQ(failure(missing, "Directory"), "hostPath type check failed: " + missing + " is not a directory");
  EXPECT_EQ(failure(d, "File"), "hostPath type check failed: " + d + " is not a file");
  EXPECT_EQ(failure(d, "FileOrCreate"), "hostPath type check failed: " + d + " is not a file");
  EXPECT_EQ(failure(f, "Socket"), "hostPath type check failed: " + f + " is not a socket file");
  EXPECT_EQ(failure(f, "CharDevice"), "hostPath type check failed: " + f + " is not a character device");
  EXPECT_EQ(failure("/dev/null", "BlockDevice"),
            "hostPath type check failed: /dev/null is not a block device");
  EXPECT_EQ(failure("/dev/null", "CharDevice"), "ok");
  EXPECT_EQ(failure(f, "Bogus"), "Bogus is an invalid volume type");
  EXPECT_EQ(failure(missing, ""), "ok");  // no type: no check
}

TEST(HostPathTest, SocketIsRecognised) {
  pki::TempDir dir;
  std::string path = (dir.path() / "s.sock").string();
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(failure(path, "Socket"), "ok");
  EXPECT_NE(failure(path, "File"), "ok");
  ::close(fd);
}

}  // namespace
}  // namespace kcpp::kubelet::volumes
