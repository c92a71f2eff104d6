#include "kubelet/images/oci_archive.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>

#include "kubelet/images/builtin_images.h"
#include "kubelet/images/digest.h"
#include "kubelet/images/gzip.h"
#include "pki/atomic_file.h"
#include "pki/test_temp_dir.h"

namespace kcpp::kubelet::images {
namespace {

namespace json = boost::json;

// The archive's files by name.
std::map<std::string, std::string> filesOf(const std::string& archive) {
  auto entries = readTar(archive);
  EXPECT_TRUE(entries);
  std::map<std::string, std::string> files;
  if (!entries) return files;
  for (auto& e : *entries) {
    if (e.type == TarEntryType::File) files[e.path] = e.content;
  }
  return files;
}

std::string blob(const std::map<std::string, std::string>& files, std::string_view digest) {
  EXPECT_TRUE(digest.starts_with("sha256:")) << digest;
  auto it = files.find("blobs/sha256/" + std::string(digest.substr(7)));
  EXPECT_NE(it, files.end()) << "no blob " << digest;
  return it == files.end() ? std::string() : it->second;
}

ImageSpec sampleSpec() {
  ImageSpec spec;
  spec.reference = "docker.io/kcpp/sample:1.0";
  EXPECT_TRUE(spec.rootfs.addFile("bin/hello", "\x7f" "ELF...", 0755));
  spec.config.entrypoint = {"/bin/hello"};
  spec.config.cmd = {"--flag"};
  spec.config.env = {"PATH=/bin"};
  spec.config.exposedPorts = {"80/tcp"};
  spec.config.user = "1000:1000";
  return spec;
}

TEST(OciArchive, HasTheLayoutContainerdImports) {
  auto archive = buildOciArchive(sampleSpec());
  ASSERT_TRUE(archive) << archive.error().message;
  auto files = filesOf(archive->bytes);
  EXPECT_EQ(files["oci-layout"], R"({"imageLayoutVersion":"1.0.0"})");

  json::object index = json::parse(files["index.json"]).as_object();
  EXPECT_EQ(index["schemaVersion"], 2);
  auto& entry = index["manifests"].as_array().at(0).as_object();
  EXPECT_EQ(entry["mediaType"], "application/vnd.oci.image.manifest.v1+json");
  EXPECT_EQ(entry["annotations"].at("io.containerd.image.name"), "docker.io/kcpp/sample:1.0");
  EXPECT_EQ(entry["annotations"].at("org.opencontainers.image.ref.name"), "1.0");
  EXPECT_EQ(entry["platform"].at("os"), "linux");
  EXPECT_EQ(entry["platform"].at("architecture"), json::value(hostArchitecture()));
  EXPECT_EQ(entry["digest"], json::value(archive->manifestDigest));

  std::string manifestText = blob(files, archive->manifestDigest);
  EXPECT_EQ(entry["size"].as_int64(), static_cast<std::int64_t>(manifestText.size()));
  json::object manifest = json::parse(manifestText).as_object();
  EXPECT_EQ(manifest["config"].at("digest"), json::value(archive->configDigest));
  auto& layerDesc = manifest["layers"].as_array().at(0).as_object();
  EXPECT_EQ(layerDesc["mediaType"], "application/vnd.oci.image.layer.v1.tar+gzip");
  EXPECT_EQ(layerDesc["digest"], json::value(archive->layerDigest));

  // Every blob is named by its own digest; the diff_id is the uncompressed layer's.
  std::string layer = blob(files, archive->layerDigest);
  EXPECT_EQ(sha256Digest(layer), archive->layerDigest);
  EXPECT_EQ(layerDesc["size"].as_int64(), static_cast<std::int64_t>(layer.size()));
  auto layerTar = gzipDecompress(layer);
  ASSERT_TRUE(layerTar);
  EXPECT_EQ(sha256Digest(*layerTar), archive->diffId);
  auto rootfs = readTar(*layerTar);
  ASSERT_TRUE(rootfs);
  ASSERT_EQ(rootfs->size(), 2u);
  EXPECT_EQ((*rootfs)[1].path, "bin/hello");

  json::object config = json::parse(blob(files, archive->configDigest)).as_object();
  EXPECT_EQ(config["rootfs"].at("type"), "layers");
  EXPECT_EQ(config["rootfs"].at("diff_ids").as_array().at(0), json::value(archive->diffId));
  EXPECT_EQ(config["created"], "1970-01-01T00:00:00Z");
  auto& rc = config["config"].as_object();
  EXPECT_EQ(rc["Entrypoint"].as_array().at(0), "/bin/hello");
  EXPECT_EQ(rc["Cmd"].as_array().at(0), "--flag");
  EXPECT_EQ(rc["User"], "1000:1000");
  EXPECT_TRUE(rc["ExposedPorts"].as_object().contains("80/tcp"));
}

TEST(OciArchive, IsReproducible) {
  auto a = buildOciArchive(sampleSpec());
  auto b = buildOciArchive(sampleSpec());
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->bytes, b->bytes);
  EXPECT_EQ(a->manifestDigest, b->manifestDigest);
}

TEST(OciArchive, RejectsReferencesContainerdWouldRename) {
  for (const char* bad : {"pause:3.9", "docker.io/kcpp/pause", "docker.io/Kcpp/pause:1", "",
                          "docker.io/kcpp/pause@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}) {
    ImageSpec spec = sampleSpec();
    spec.reference = bad;
    auto r = buildOciArchive(spec);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().reason, Reason::BadRequest);
  }
}

TEST(OciArchive, WritesTheFile) {
  pki::TempDir dir;
  auto path = (dir.path() / "img.tar").string();
  auto written = writeOciArchive(sampleSpec(), path);
  ASSERT_TRUE(written);
  auto onDisk = pki::readFile(path);
  ASSERT_TRUE(onDisk);
  EXPECT_EQ(*onDisk, written->bytes);
}

TEST(PauseImage, HoldsTheEmbeddedStaticBinary) {
  auto built = pki::readFile(KCPP_PAUSE_BINARY);
  ASSERT_TRUE(built);
  EXPECT_EQ(pauseBinary(), *built);
  EXPECT_TRUE(pauseBinary().starts_with("\x7f" "ELF"));

  auto archive = pauseImageArchive();
  ASSERT_TRUE(archive);
  auto files = filesOf(archive->bytes);
  json::object index = json::parse(files["index.json"]).as_object();
  EXPECT_EQ(index["manifests"].as_array().at(0).at("annotations").at("io.containerd.image.name"), kPauseImage);
  auto layerTar = gzipDecompress(blob(files, archive->layerDigest));
  ASSERT_TRUE(layerTar);
  auto rootfs = readTar(*layerTar);
  ASSERT_TRUE(rootfs);
  ASSERT_EQ(rootfs->size(), 1u);
  EXPECT_EQ((*rootfs)[0].path, "pause");
  EXPECT_EQ((*rootfs)[0].mode, 0755u);
  EXPECT_EQ((*rootfs)[0].content, *built);
  json::object config = json::parse(blob(files, archive->configDigest)).as_object();
  EXPECT_EQ(config["config"].at("Entrypoint").as_array().at(0), "/pause");
  EXPECT_EQ(config["config"].at("User"), "65535:65535");
  // The same archive every time: the image ID kubelets see never changes.
  EXPECT_EQ(pauseImageArchive()->bytes, archive->bytes);
}

TEST(BusyboxImage, LinksEveryAppletToTheBinary) {
  auto spec = busyboxImageSpec(*pki::readFile(KCPP_PAUSE_BINARY), "usr/bin/[\nbin/sh\nsbin/httpd\nbin/busybox\n\n");
  ASSERT_TRUE(spec) << spec.error().message;
  auto archive = buildOciArchive(*spec);
  ASSERT_TRUE(archive);
  auto files = filesOf(archive->bytes);
  auto rootfs = readTar(*gzipDecompress(blob(files, archive->layerDigest)));
  ASSERT_TRUE(rootfs);
  std::map<std::string, TarEntry> byPath;
  for (auto& e : *rootfs) byPath[e.path] = e;
  EXPECT_EQ(byPath["bin/busybox"].type, TarEntryType::File);
  EXPECT_EQ(byPath["bin/busybox"].mode, 0755u);
  for (const char* applet : {"usr/bin/[", "bin/sh", "sbin/httpd"}) {
    EXPECT_EQ(byPath[applet].type, TarEntryType::Symlink) << applet;
    EXPECT_EQ(byPath[applet].linkTarget, "/bin/busybox") << applet;
  }
  EXPECT_EQ(byPath["tmp"].mode, 01777u);
  EXPECT_NE(byPath["etc/passwd"].content.find("nobody:x:65534"), std::string::npos);
  EXPECT_EQ(byPath["var/www/index.html"].content, "kcpp busybox\n");
  json::object index = json::parse(files["index.json"]).as_object();
  EXPECT_EQ(index["manifests"].as_array().at(0).at("annotations").at("io.containerd.image.name"), kBusyboxImage);

  EXPECT_FALSE(busyboxImageSpec("#!/bin/sh", "bin/sh\n"));                 // not a binary
  EXPECT_FALSE(busyboxImageSpec(*pki::readFile(KCPP_PAUSE_BINARY), ""));  // no applets
  // A dynamically linked binary (this test itself) would not run in the image.
  auto dynamic = busyboxImageSpec(*pki::readFile("/proc/self/exe"), "bin/sh\n");
  ASSERT_FALSE(dynamic);
  EXPECT_NE(dynamic.error().message.find("dynamically linked"), std::string::npos) << dynamic.error().message;
}

}  // namespace
}  // namespace kcpp::kubelet::images
