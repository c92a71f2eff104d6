#include "kubelet/images/builtin_images.h"

namespace kcpp::kubelet::images {

// Generated at build time from the compiled images/pause/pause.c (embed.cmake).
extern const std::string_view kEmbeddedPauseBinary;

namespace {

constexpr char kDefaultPath[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

Result<void> addBusyboxFiles(TarTree& tree, std::string binary) {
  if (auto r = tree.addFile("bin/busybox", std::move(binary), 0755); !r) return r;
  // Minimal account files: httpd, id, ps and sh's prompt look users up.
  if (auto r = tree.addFile("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
                                          "nobody:x:65534:65534:nobody:/home:/bin/false\n");
      !r) {
    return r;
  }
  if (auto r = tree.addFile("etc/group", "root:x:0:\nnobody:x:65534:\n"); !r) return r;
  if (auto r = tree.addDirectory("tmp", 01777); !r) return r;
  if (auto r = tree.addDirectory("root", 0700); !r) return r;
  if (auto r = tree.addDirectory("home", 0755); !r) return r;
  // A page for `httpd -h /var/www`, so a web server needs no set-up.
  return tree.addFile("var/www/index.html", "kcpp busybox\n");
}

}  // namespace

std::string_view pauseBinary() { return kEmbeddedPauseBinary; }

Result<ImageSpec> pauseImageSpec() {
  ImageSpec spec;
  spec.reference = kPauseImage;
  if (auto r = spec.rootfs.addFile("pause", std::string(pauseBinary()), 0755); !r) return std::move(r).error();
  spec.config.entrypoint = {"/pause"};
  spec.config.user = "65535:65535";  // as upstream's pause: it needs no privilege
  spec.config.workingDir = "/";
  spec.config.env = {kDefaultPath};
  return spec;
}

Result<OciArchive> pauseImageArchive() {
  auto spec = pauseImageSpec();
  if (!spec) return std::move(spec).error();
  return buildOciArchive(*spec);
}

Result<ImageSpec> busyboxImageSpec(std::string busyboxBinary, std::string_view appletList,
                                   std::string reference) {
  if (busyboxBinary.size() < 4 || busyboxBinary.compare(0, 4, "\x7f" "ELF") != 0) {
    return makeError(Reason::BadRequest, "busybox binary is not an ELF executable");
  }
  ImageSpec spec;
  spec.reference = std::move(reference);
  if (auto r = addBusyboxFiles(spec.rootfs, std::move(busyboxBinary)); !r) return std::move(r).error();
  std::size_t applets = 0;
  while (!appletList.empty()) {
    std::size_t nl = appletList.find('\n');
    std::string_view line = appletList.substr(0, nl);
    appletList.remove_prefix(nl == std::string_view::npos ? appletList.size() : nl + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty() || line == "bin/busybox" || line == "/bin/busybox") continue;
    if (auto r = spec.rootfs.addSymlink(line, "/bin/busybox"); !r) return std::move(r).error();
    ++applets;
  }
  if (applets == 0) return makeError(Reason::BadRequest, "busybox applet list is empty");
  spec.config.cmd = {"sh"};
  spec.config.env = {kDefaultPath};
  return spec;
}

}  // namespace kcpp::kubelet::images
