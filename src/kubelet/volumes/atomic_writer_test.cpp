#include "kubelet/volumes/atomic_writer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "pki/test_temp_dir.h"

namespace kcpp::kubelet::volumes {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

mode_t modeOf(const fs::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 07777;
}

TEST(AtomicWriterTest, WritesFilesBehindDataLinkWithModes) {
  pki::TempDir dir;
  AtomicWriter writer(dir.path() / "vol");
  Payload payload{{"a", {"alpha", 0644}}, {"sub/b", {"beta", 0400}}};
  auto wrote = writer.write(payload);
  ASSERT_TRUE(wrote.ok()) << wrote.error().message;
  EXPECT_TRUE(*wrote);
  fs::path vol = dir.path() / "vol";
  ASSERT_TRUE(fs::is_symlink(vol / "..data"));
  std::string ts = fs::read_symlink(vol / "..data").string();
  EXPECT_EQ(ts.rfind("..", 0), 0u);
  EXPECT_EQ(fs::read_symlink(vol / "a"), fs::path("..data/a"));
  EXPECT_EQ(fs::read_symlink(vol / "sub"), fs::path("..data/sub"));
  EXPECT_EQ(slurp(vol / "a"), "alpha");
  EXPECT_EQ(slurp(vol / "sub/b"), "beta");
  EXPECT_EQ(modeOf(vol / "a"), 0644u);
  EXPECT_EQ(modeOf(vol / "sub/b"), 0400u);
  EXPECT_EQ(modeOf(vol / ts), 0755u);
}

TEST(AtomicWriterTest, UpdateSwapsDirectoryAndDropsRemovedKeys) {
  pki::TempDir dir;
  fs::path vol = dir.path() / "vol";
  AtomicWriter writer(vol);
  ASSERT_TRUE(writer.write({{"a", {"1", 0644}}, {"gone", {"x", 0644}}}).ok());
  fs::path first = fs::read_symlink(vol / "..data");
  // Unchanged: nothing touched.
  auto same = writer.write({{"a", {"1", 0644}}, {"gone", {"x", 0644}}});
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE(*same);
  EXPECT_EQ(fs::read_symlink(vol / "..data"), first);
  // Changed: a new timestamped dir, the old one removed, the dropped key gone.
  auto changed = writer.write({{"a", {"2", 0644}}});
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(*changed);
  fs::path second = fs::read_symlink(vol / "..data");
  EXPECT_NE(first, second);
  EXPECT_FALSE(fs::exists(vol / first));
  EXPECT_EQ(slurp(vol / "a"), "2");
  EXPECT_FALSE(fs::exists(fs::symlink_status(vol / "gone")));
  // A mode change alone is a change.
  auto mode = writer.write({{"a", {"2", 0600}}});
  ASSERT_TRUE(mode.ok());
  EXPECT_TRUE(*mode);
  EXPECT_EQ(modeOf(vol / "a"), 0600u);
  // Only "..data", one timestamped dir and the key remain.
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(vol)) ++entries;
  EXPECT_EQ(entries, 3);
}

TEST(AtomicWriterTest, RefusesPathsThatLeaveTheVolume) {
  pki::TempDir dir;
  AtomicWriter writer(dir.path() / "vol");
  for (std::string bad : {"/abs", "../x", "a/../../x", "..hidden", ""}) {
    auto r = writer.write({{bad, {"x", 0644}}});
    EXPECT_FALSE(r.ok()) << bad;
  }
  auto r = writer.write({{"a/../../x", {"x", 0644}}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "invalid path: must not contain '..': a/../../x");
  EXPECT_FALSE(fs::exists(dir.path() / "x"));
}

}  // namespace
}  // namespace kcpp::kubelet::volumes
