#include "kubelet/images/tar.h"

#include <gtest/gtest.h>

#include "kubelet/images/digest.h"
#include <zstd.h>

#include "kubelet/images/compressed_file.h"
#include "kubelet/images/gzip.h"
#include "pki/atomic_file.h"
#include "pki/test_temp_dir.h"

namespace kcpp::kubelet::images {
namespace {

TarTree sampleTree() {
  TarTree t;
  EXPECT_TRUE(t.addFile("usr/bin/tool", "#!/bin/sh\necho hi\n", 0755));
  EXPECT_TRUE(t.addSymlink("bin/sh", "/usr/bin/tool"));
  EXPECT_TRUE(t.addFile("/etc//passwd", "root:x:0:0::/root:/bin/sh\n"));
  EXPECT_TRUE(t.addDirectory("tmp", 01777));
  return t;
}

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256Digest("abc"), "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Tar, EntriesAreSortedWithImplicitParentsAndFixedOwnership) {
  auto bytes = sampleTree().write(1234);
  ASSERT_TRUE(bytes);
  EXPECT_EQ(bytes->size() % 512, 0u);
  auto entries = readTar(*bytes);
  ASSERT_TRUE(entries) << entries.error().message;
  std::vector<std::string> names;
  for (const auto& e : *entries) names.push_back(e.path);
  EXPECT_EQ(names, (std::vector<std::string>{"bin", "bin/sh", "etc", "etc/passwd", "tmp", "usr", "usr/bin",
                                             "usr/bin/tool"}));
  for (const auto& e : *entries) EXPECT_EQ(e.mtime, 1234) << e.path;
  EXPECT_EQ((*entries)[0].type, TarEntryType::Directory);
  EXPECT_EQ((*entries)[0].mode, 0755u);
  EXPECT_EQ((*entries)[1].type, TarEntryType::Symlink);
  EXPECT_EQ((*entries)[1].linkTarget, "/usr/bin/tool");
  EXPECT_EQ((*entries)[4].mode, 01777u);
  EXPECT_EQ((*entries)[7].content, "#!/bin/sh\necho hi\n");
  EXPECT_EQ((*entries)[7].mode, 0755u);
}

TEST(Tar, HeadersCarryNumericRootOwnerAndUstarMagic) {
  auto bytes = sampleTree().write();
  ASSERT_TRUE(bytes);
  std::string_view first(bytes->data(), 512);
  EXPECT_EQ(first.substr(0, 4), std::string_view("bin/\0", 5).substr(0, 4));
  EXPECT_EQ(first.substr(108, 8), std::string_view("0000000\0", 8));  // uid
  EXPECT_EQ(first.substr(116, 8), std::string_view("0000000\0", 8));  // gid
  EXPECT_EQ(first.substr(257, 6), std::string_view("ustar\0", 6));
  EXPECT_EQ(first[265], '\0');  // no user name
  EXPECT_TRUE(looksLikeTarHeader(*bytes));
}

TEST(Tar, SameTreeGivesSameBytesWhateverTheInsertionOrder) {
  TarTree other;
  ASSERT_TRUE(other.addDirectory("tmp", 01777));
  ASSERT_TRUE(other.addFile("etc/passwd", "root:x:0:0::/root:/bin/sh\n"));
  ASSERT_TRUE(other.addSymlink("bin/sh", "/usr/bin/tool"));
  ASSERT_TRUE(other.addFile("usr/bin/tool", "#!/bin/sh\necho hi\n", 0755));
  auto a = sampleTree().write();
  auto b = other.write();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(sha256Hex(*a), sha256Hex(*b));
}

TEST(Tar, LongNamesUseTheUstarPrefix) {
  std::string dir = std::string(60, 'd') + "/" + std::string(60, 'e');
  std::string path = dir + "/" + std::string(90, 'f');  // 212 characters
  TarTree t;
  ASSERT_TRUE(t.addFile(path, "x"));
  auto bytes = t.write();
  ASSERT_TRUE(bytes) << bytes.error().message;
  auto entries = readTar(*bytes);
  ASSERT_TRUE(entries);
  EXPECT_EQ(entries->back().path, path);

  TarTree tooLong;
  ASSERT_TRUE(tooLong.addFile(std::string(300, 'x'), "x"));
  auto bad = tooLong.write();
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().reason, Reason::BadRequest);
}

TEST(Tar, RejectsUnsafeAndConflictingPaths) {
  TarTree t;
  EXPECT_FALSE(t.addFile("../etc/passwd", "x"));
  EXPECT_FALSE(t.addFile("a/./b", "x"));
  EXPECT_FALSE(t.addFile("/", "x"));
  EXPECT_FALSE(t.addSymlink("link", ""));
  ASSERT_TRUE(t.addFile("bin/busybox", "x"));
  EXPECT_FALSE(t.addFile("bin/busybox", "y"));          // duplicate
  EXPECT_FALSE(t.addFile("bin/busybox/inner", "y"));    // under a file
  EXPECT_FALSE(t.addFile("bin", "y"));                  // a file over a directory with entries
  EXPECT_TRUE(t.addDirectory("bin", 0700));             // an explicit mode for an implicit parent
  auto entries = readTar(*t.write());
  ASSERT_TRUE(entries);
  EXPECT_EQ((*entries)[0].mode, 0700u);
}

TEST(Tar, ReadTarRejectsWhatIsNotATar) {
  EXPECT_FALSE(readTar("hello"));
  std::string garbage(1024, 'x');
  auto r = readTar(garbage);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("not a tar archive"), std::string::npos);
  EXPECT_FALSE(looksLikeTarHeader(garbage));
  auto good = sampleTree().write();
  ASSERT_TRUE(good);
  EXPECT_FALSE(readTar(good->substr(0, 1000)));  // truncated inside an entry
}

TEST(Gzip, RoundTripsAndIsDeterministic) {
  std::string data;
  for (int i = 0; i < 10000; ++i) data += "line " + std::to_string(i) + "\n";
  auto a = gzipCompress(data);
  auto b = gzipCompress(data);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  EXPECT_LT(a->size(), data.size() / 3);
  EXPECT_TRUE(looksGzipped(*a));
  // Header: magic, deflate, no flags, mtime 0 (bytes 4..7): nothing of the clock.
  EXPECT_EQ(static_cast<unsigned char>((*a)[2]), 8);
  EXPECT_EQ((*a)[3], 0);
  EXPECT_EQ(a->substr(4, 4), std::string(4, '\0'));
  auto back = gzipDecompress(*a);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, data);
}

TEST(Gzip, RejectsCorruptOrTruncatedInput) {
  auto z = gzipCompress("some bytes worth compressing, some bytes worth compressing");
  ASSERT_TRUE(z);
  auto truncated = gzipDecompress(z->substr(0, z->size() - 6));
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error().reason, Reason::BadRequest);
  EXPECT_FALSE(gzipDecompress("plain text, not gzip"));
  EXPECT_FALSE(gzipCompress("x", 0));
}

TEST(GunzipFile, StreamsInChunksAcrossMembers) {
  pki::TempDir dir;
  std::string a(3 << 20, 'a'), b;
  for (int i = 0; i < 200000; ++i) b += std::to_string(i * 7919 % 1000003);
  // Two gzip members back to back, as `cat x.gz y.gz` makes: one stream.
  std::string both = *gzipCompress(a) + *gzipCompress(b);
  ASSERT_TRUE(pki::writeFileAtomic(dir.path() / "x.gz", both, 0644));
  auto file = GunzipFile::open(dir.path() / "x.gz");
  ASSERT_TRUE(file);
  std::string out;
  int chunks = 0;
  for (;;) {
    auto piece = (*file)->read(1 << 20);
    ASSERT_TRUE(piece) << piece.error().message;
    if (piece->empty()) break;
    EXPECT_LE(piece->size(), 1u << 20);
    out += *piece;
    ++chunks;
  }
  EXPECT_EQ(out, a + b);
  EXPECT_GE(chunks, 4);

  ASSERT_TRUE(pki::writeFileAtomic(dir.path() / "cut.gz", both.substr(0, both.size() / 2), 0644));
  auto cut = GunzipFile::open(dir.path() / "cut.gz");
  ASSERT_TRUE(cut);
  Result<std::string> piece = std::string();
  do piece = (*cut)->read(); while (piece && !piece->empty());
  ASSERT_FALSE(piece);
  EXPECT_NE(piece.error().message.find("truncated"), std::string::npos) << piece.error().message;

  auto missing = GunzipFile::open(dir.path() / "none.gz");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().reason, Reason::NotFound);
}

TEST(ZstdFile, StreamsInChunksAcrossFrames) {
  pki::TempDir dir;
  std::string a(3 << 20, 'z'), b = "second frame";
  auto compress = [](const std::string& in) {
    std::string out(ZSTD_compressBound(in.size()), '\0');
    out.resize(ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3));
    return out;
  };
  std::string both = compress(a) + compress(b);
  EXPECT_EQ(detectCompression(both), Compression::Zstd);
  EXPECT_EQ(detectCompression(*gzipCompress("x")), Compression::Gzip);
  EXPECT_EQ(detectCompression("plain"), Compression::None);
  ASSERT_TRUE(pki::writeFileAtomic(dir.path() / "x.zst", both, 0644));
  auto file = openDecompressing(dir.path() / "x.zst", Compression::Zstd);
  ASSERT_TRUE(file);
  std::string out;
  for (;;) {
    auto piece = (*file)->read(1 << 20);
    ASSERT_TRUE(piece) << piece.error().message;
    if (piece->empty()) break;
    EXPECT_LE(piece->size(), 1u << 20);
    out += *piece;
  }
  EXPECT_EQ(out, a + b);

  ASSERT_TRUE(pki::writeFileAtomic(dir.path() / "bad.zst", std::string("\x28\xb5\x2f\xfd", 4) + "garbage!", 0644));
  auto bad = openDecompressing(dir.path() / "bad.zst", Compression::Zstd);
  ASSERT_TRUE(bad);
  auto piece = (*bad)->read();
  ASSERT_FALSE(piece);
  EXPECT_NE(piece.error().message.find("not valid zstd data"), std::string::npos);
}

}  // namespace
}  // namespace kcpp::kubelet::images
