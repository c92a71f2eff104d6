#include "kubelet/images/image_import.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include <zstd.h>

#include "kubelet/images/builtin_images.h"
#include "kubelet/images/child_process.h"
#include "kubelet/images/gzip.h"
#include "pki/atomic_file.h"
#include "pki/test_temp_dir.h"

namespace kcpp::kubelet::images {
namespace {

namespace fs = std::filesystem;

// A listening unix socket standing in for containerd's (connect succeeds).
class FakeSocket {
 public:
  explicit FakeSocket(const fs::path& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    EXPECT_EQ(::listen(fd_, 8), 0);
  }
  ~FakeSocket() { ::close(fd_); }
  FakeSocket(const FakeSocket&) = delete;
  FakeSocket& operator=(const FakeSocket&) = delete;

 private:
  fs::path path_;
  int fd_ = -1;
};

// A stand-in for ctr that records its arguments and stdin, then answers as ctr.
class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    socket_ = std::make_unique<FakeSocket>(dir_.path() / "containerd.sock");
    options_.address = (dir_.path() / "containerd.sock").string();
    options_.ctrPath = (dir_.path() / "ctr").string();
    options_.timeout = std::chrono::seconds(20);
    fakeCtr("echo 'unpacking docker.io/kcpp/sample:1.0 (sha256:abcd)...done'");
  }

  void fakeCtr(const std::string& answer) {
    std::string script = "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + (dir_.path() / "args").string() +
                         "\ncat > " + (dir_.path() / "stdin").string() + "\n" + answer + "\n";
    ASSERT_TRUE(pki::writeFileAtomic(options_.ctrPath, script, 0755));
  }

  std::string recorded(const char* name) {
    auto r = pki::readFile(dir_.path() / name);
    return r ? *r : std::string();
  }

  fs::path writeFile(const std::string& name, std::string_view bytes) {
    fs::path p = dir_.path() / name;
    EXPECT_TRUE(pki::writeFileAtomic(p, bytes, 0644));
    return p;
  }

  std::string tinyTar() {
    TarTree t;
    EXPECT_TRUE(t.addFile("index.json", "{}"));
    return *t.write();
  }

  pki::TempDir dir_;
  std::unique_ptr<FakeSocket> socket_;
  ImportOptions options_;
};

TEST_F(ImportTest, RunsCtrImportInTheK8sNamespace) {
  auto file = writeFile("a.tar", tinyTar());
  auto done = importArchive(options_, file);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->images, std::vector<std::string>{"docker.io/kcpp/sample:1.0"});
  EXPECT_EQ(done->source, file.string());
  EXPECT_EQ(recorded("args"), "--address\n" + options_.address + "\n--namespace\nk8s.io\nimages\nimport\n" +
                                  file.string() + "\n");
}

TEST_F(ImportTest, GzippedArchivesAreDecompressedOntoStdin) {
  std::string tar = tinyTar();
  auto file = writeFile("a.tar.gz", *gzipCompress(tar));
  auto done = importArchive(options_, file);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(recorded("args"), "--address\n" + options_.address + "\n--namespace\nk8s.io\nimages\nimport\n-\n");
  EXPECT_EQ(recorded("stdin"), tar);
}

TEST_F(ImportTest, LargeGzippedArchivesStreamWhole) {
  TarTree t;
  std::string payload;
  for (int i = 0; i < 600000; ++i) payload += std::to_string(static_cast<long long>(i) * 104729 % 7919) + ",";
  ASSERT_TRUE(t.addFile("index.json", "{}"));
  ASSERT_TRUE(t.addFile("blobs/sha256/big", payload));
  std::string tar = *t.write();
  ASSERT_GT(tar.size(), 2u << 20);  // more than one chunk
  auto done = importArchive(options_, writeFile("big.tar.gz", *gzipCompress(tar)));
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(recorded("stdin"), tar);
}

TEST_F(ImportTest, GzipOfSomethingElseIsNotAnArchive) {
  auto r = importArchive(options_, writeFile("notes.tar.gz", *gzipCompress("just some text, not a tar\n")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, Reason::BadRequest);
  EXPECT_NE(r.error().message.find("it does not decompress to a tar file"), std::string::npos) << r.error().message;
  EXPECT_EQ(recorded("args"), "");
}

TEST_F(ImportTest, ZstdArchivesAreDecompressedOntoStdin) {
  std::string tar = tinyTar();
  std::string zst(ZSTD_compressBound(tar.size()), '\0');
  zst.resize(ZSTD_compress(zst.data(), zst.size(), tar.data(), tar.size(), 3));
  auto done = importArchive(options_, writeFile("a.tar.zst", zst));
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(recorded("args"), "--address\n" + options_.address + "\n--namespace\nk8s.io\nimages\nimport\n-\n");
  EXPECT_EQ(recorded("stdin"), tar);

  auto cut = importArchive(options_, writeFile("cut.tar.zst", zst.substr(0, zst.size() - 3)));
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().reason, Reason::BadRequest);
  EXPECT_NE(cut.error().message.find("not valid zstd data"), std::string::npos) << cut.error().message;
}

TEST_F(ImportTest, PauseImageGoesThroughStdin) {
  auto done = importPauseImage(options_);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->source, "kcpp pause image");
  EXPECT_EQ(recorded("stdin"), pauseImageArchive()->bytes);
}

TEST_F(ImportTest, MissingFileIsNotFound) {
  auto r = importArchive(options_, dir_.path() / "nope.tar");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, Reason::NotFound);
  EXPECT_NE(r.error().message.find("nope.tar does not exist"), std::string::npos);
}

TEST_F(ImportTest, NonArchivesAreRefusedBeforeCtrRuns) {
  auto text = writeFile("notes.tar", "this is not an archive\n");
  auto r = importArchive(options_, text);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, Reason::BadRequest);
  EXPECT_NE(r.error().message.find("is not an image archive"), std::string::npos) << r.error().message;
  EXPECT_EQ(recorded("args"), "");

  auto badGzip = writeFile("b.tar.gz", std::string("\x1f\x8b", 2) + "garbage");
  r = importArchive(options_, badGzip);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, Reason::BadRequest);
  EXPECT_NE(r.error().message.find("not valid gzip"), std::string::npos) << r.error().message;

  r = importArchive(options_, dir_.path());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("not a regular file"), std::string::npos);
}

TEST_F(ImportTest, CtrErrorsAreReported) {
  fakeCtr("echo 'ctr: unrecognized image format' >&2; exit 1");
  auto r = importArchive(options_, writeFile("a.tar", tinyTar()));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, Reason::BadRequest);
  EXPECT_EQ(r.error().message, "importing " + (dir_.path() / "a.tar").string() + ": ctr: unrecognized image format");
}

TEST_F(ImportTest, ContainerdDownIsServiceUnavailable) {
  options_.address = (dir_.path() / "absent.sock").string();
  auto r = importArchive(options_, writeFile("a.tar", tinyTar()));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, Reason::ServiceUnavailable);
  EXPECT_NE(r.error().message.find("containerd is not answering at"), std::string::npos) << r.error().message;
  options_.address = "unix://" + (dir_.path() / "containerd.sock").string();  // the unix:// form works too
  EXPECT_TRUE(importArchive(options_, writeFile("a.tar", tinyTar())));
}

TEST_F(ImportTest, MissingCtrIsNotFound) {
  options_.ctrPath = "kcpp-no-such-ctr";
  auto r = importArchive(options_, writeFile("a.tar", tinyTar()));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, Reason::NotFound);
  EXPECT_NE(r.error().message.find("kcpp-no-such-ctr not found"), std::string::npos) << r.error().message;
}

TEST_F(ImportTest, StartupImportsPauseThenTheDirectoryInOrder) {
  fs::path imagesDir = dir_.path() / "images";
  fs::create_directories(imagesDir);
  EXPECT_TRUE(pki::writeFileAtomic(imagesDir / "b.tar", tinyTar(), 0644));
  EXPECT_TRUE(pki::writeFileAtomic(imagesDir / "a.tgz", *gzipCompress(tinyTar()), 0644));
  EXPECT_TRUE(pki::writeFileAtomic(imagesDir / "c.tar", "broken", 0644));
  EXPECT_TRUE(pki::writeFileAtomic(imagesDir / "list.txt", "docker.io/library/nginx:1\n", 0644));
  std::string tar = tinyTar();
  std::string zst(ZSTD_compressBound(tar.size()), '\0');
  zst.resize(ZSTD_compress(zst.data(), zst.size(), tar.data(), tar.size(), 3));
  EXPECT_TRUE(pki::writeFileAtomic(imagesDir / "d.tar.zst", zst, 0644));
  auto report = importStartupImages(options_, imagesDir);
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_EQ(report->imported.size(), 4u);
  EXPECT_EQ(report->imported[0].source, "kcpp pause image");
  EXPECT_EQ(report->imported[1].source, (imagesDir / "a.tgz").string());
  EXPECT_EQ(report->imported[2].source, (imagesDir / "b.tar").string());
  EXPECT_EQ(report->imported[3].source, (imagesDir / "d.tar.zst").string());
  ASSERT_EQ(report->failed.size(), 1u);
  EXPECT_EQ(report->failed[0].first, (imagesDir / "c.tar").string());
  EXPECT_EQ(report->skipped, std::vector<std::string>{(imagesDir / "list.txt").string()});

  // No directory: only the pause image. Pause failing fails the whole start.
  EXPECT_EQ(importStartupImages(options_, dir_.path() / "none")->imported.size(), 1u);
  options_.address = (dir_.path() / "absent.sock").string();
  EXPECT_FALSE(importStartupImages(options_, imagesDir));
}

TEST(ImportedImageNames, ParsesCtrOutput) {
  EXPECT_EQ(importedImageNames("unpacking docker.io/kcpp/pause:3.9 (sha256:20194a)...done\n"
                               "unpacking docker.io/kcpp/busybox:1.35 (sha256:69e0d8)...done\n"),
            (std::vector<std::string>{"docker.io/kcpp/pause:3.9", "docker.io/kcpp/busybox:1.35"}));
  EXPECT_TRUE(importedImageNames("").empty());
}

TEST(ChildProcess, FeedsStdinAndCapturesOutputs) {
  std::string big(1 << 20, 'x');  // larger than any pipe buffer
  auto r = runProcess({"sh", "-c", "wc -c; echo oops >&2; exit 3"}, big, std::chrono::seconds(20));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->exitCode, 3);
  EXPECT_EQ(r->out, "1048576\n");
  EXPECT_EQ(r->err, "oops\n");
  EXPECT_FALSE(r->succeeded());
}

TEST(ChildProcess, LargeInputAndLargeOutputAtOnceDoNotDeadlock) {
  std::string big(4 << 20, 'y');  // cat echoes it back while we are still sending
  auto r = runProcess({"cat"}, big, std::chrono::seconds(20));
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->succeeded());
  EXPECT_EQ(r->out.size(), big.size());
}

TEST(ChildProcess, ChildThatIgnoresStdinDoesNotHurtTheParent) {
  std::string big(1 << 20, 'x');
  auto r = runProcess({"true"}, big, std::chrono::seconds(20));
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->succeeded());
}

TEST(ChildProcess, TimeoutKillsTheChild) {
  auto start = std::chrono::steady_clock::now();
  auto r = runProcess({"sleep", "30"}, {}, std::chrono::milliseconds(200));
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->timedOut);
  EXPECT_EQ(r->termSignal, SIGKILL);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(ChildProcess, AFailingInputSourceStopsTheChild) {
  int calls = 0;
  InputSource source = [&calls]() -> Result<std::string> {
    if (++calls == 1) return std::string("first chunk\n");
    return makeError(Reason::BadRequest, "corrupt input");
  };
  auto start = std::chrono::steady_clock::now();
  auto r = runProcessWithInput({"cat"}, source, std::chrono::seconds(20));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "corrupt input");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(ChildProcess, TimeoutHoldsAfterTheChildClosesItsOutputs) {
  auto start = std::chrono::steady_clock::now();
  auto r = runProcess({"sh", "-c", "exec >/dev/null 2>&1 </dev/null; exec sleep 30"}, {}, std::chrono::milliseconds(300));
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->timedOut);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace kcpp::kubelet::images
