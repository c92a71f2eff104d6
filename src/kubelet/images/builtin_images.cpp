#include "kubelet/images/builtin_images.h"

#include <cstdint>

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

template <class T>
T readLe(std::string_view b, std::size_t at) {
  T v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) v |= static_cast<T>(static_cast<unsigned char>(b[at + i])) << (8 * i);
  return v;
}

// A dynamically linked binary cannot run in an image without its libraries:
// look for a PT_INTERP program header (little-endian ELF, 32 or 64 bit).
Result<void> checkStaticElf(std::string_view elf) {
  constexpr std::uint32_t kPtInterp = 3;
  if (elf.size() < 64 || elf.compare(0, 4, "\x7f" "ELF") != 0 || elf[5] != 1) {
    return makeError(Reason::BadRequest, "busybox binary is not a little-endian ELF executable");
  }
  bool is64 = elf[4] == 2;
  std::uint64_t phoff = is64 ? readLe<std::uint64_t>(elf, 32) : readLe<std::uint32_t>(elf, 28);
  std::uint16_t phentsize = readLe<std::uint16_t>(elf, is64 ? 54 : 42);
  std::uint16_t phnum = readLe<std::uint16_t>(elf, is64 ? 56 : 44);
  for (std::uint16_t i = 0; i < phnum; ++i) {
    std::uint64_t at = phoff + std::uint64_t{i} * phentsize;
    if (phentsize < 4 || phoff > elf.size() || at > elf.size() || elf.size() - at < 4) {
      return makeError(Reason::BadRequest, "busybox binary: truncated ELF");
    }
    if (readLe<std::uint32_t>(elf, at) == kPtInterp) {
      return makeError(Reason::BadRequest,
                       "busybox binary is dynamically linked: the image needs a static one (Debian's busybox-static)");
    }
  }
  return {};
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
  if (auto r = checkStaticElf(busyboxBinary); !r) return std::move(r).error();
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
