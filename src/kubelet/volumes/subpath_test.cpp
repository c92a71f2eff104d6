#include "kubelet/volumes/subpath.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "pki/test_temp_dir.h"

namespace kcpp::kubelet::volumes {
namespace {

namespace fs = std::filesystem;

class SubPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(vol);
    fs::create_directories(outside);
    std::ofstream(outside / "secret") << "host secret";
  }
  std::string resolve(const std::string& sub) {
    auto r = resolveSubPath(vol.string(), sub, "data", "app");
    return r.ok() ? *r : "error: " + r.error().message;
  }
  pki::TempDir dir;
  fs::path vol = fs::canonical(dir.path()) / "vol";
  fs::path outside = fs::canonical(dir.path()) / "outside";
};

TEST_F(SubPathTest, CreatesMissingDirectoriesInsideTheVolume) {
  EXPECT_EQ(resolve("a/b"), (vol / "a/b").string());
  EXPECT_TRUE(fs::is_directory(vol / "a/b"));
  std::ofstream(vol / "file") << "x";
  EXPECT_EQ(resolve("file"), (vol / "file").string());
}

TEST_F(SubPathTest, RefusesAbsoluteAndBackstepPaths) {
  EXPECT_EQ(resolve("/etc"), "error: error SubPath `/etc` must not be an absolute path");
  EXPECT_EQ(resolve("../outside"),
            "error: unable to provision SubPath `../outside`: must not contain '..'");
  EXPECT_EQ(resolve("a/../../outside"),
            "error: unable to provision SubPath `a/../../outside`: must not contain '..'");
}

TEST_F(SubPathTest, RefusesSymlinksThatEscape) {
  fs::create_symlink(outside, vol / "link");
  fs::create_symlink(outside / "secret", vol / "filelink");
  fs::create_symlink("/", vol / "root");
  const std::string refused =
      "error: failed to prepare subPath for volumeMount \"data\" of container \"app\"";
  EXPECT_EQ(resolve("link"), refused);
  EXPECT_EQ(resolve("filelink"), refused);
  EXPECT_EQ(resolve("link/secret"), refused);
  // Creating a directory through an escaping link is refused before anything is made.
  EXPECT_EQ(resolve("root/tmp/kcpp-subpath-escape"),
            "error: failed to create subPath directory for volumeMount \"data\" of container \"app\"");
  EXPECT_FALSE(fs::exists("/tmp/kcpp-subpath-escape"));
  EXPECT_EQ(resolve("link/newdir"),
            "error: failed to create subPath directory for volumeMount \"data\" of container \"app\"");
  EXPECT_FALSE(fs::exists(outside / "newdir"));
}

TEST_F(SubPathTest, FollowsSymlinksThatStayInside) {
  fs::create_directories(vol / "real");
  fs::create_symlink("real", vol / "alias");
  EXPECT_EQ(resolve("alias"), (vol / "real").string());
  EXPECT_EQ(resolve("alias/new"), (vol / "real/new").string());
}

TEST(SubPathExprTest, ExpandsAsUpstream) {
  std::map<std::string, std::string> env{{"POD", "web-1"}, {"NS", "prod"}, {"EMPTY", ""}};
  EXPECT_EQ(*expandSubPathExpr("logs/$(NS)/$(POD)", env), "logs/prod/web-1");
  EXPECT_EQ(*expandSubPathExpr("a$$b", env), "a$b");
  EXPECT_EQ(*expandSubPathExpr("$x", env), "$x");
  auto missing = expandSubPathExpr("$(NOPE)/$(EMPTY)/$(POD)", env);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "missing value for EMPTY, NOPE");
}

}  // namespace
}  // namespace kcpp::kubelet::volumes
