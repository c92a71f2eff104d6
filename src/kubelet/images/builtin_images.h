#pragma once
// kcpp's own images, built without any network: the pause image (its binary is
// compiled with kcpp and embedded in it, images/pause/pause.c) and the busybox
// image the tests use (Debian's busybox-static and its applet links).

#include <string>
#include <string_view>

#include "kubelet/images/oci_archive.h"

namespace kcpp::kubelet::images {

inline constexpr char kPauseImage[] = "docker.io/kcpp/pause:3.9";
inline constexpr char kBusyboxImage[] = "docker.io/kcpp/busybox:1.35";

// The static pause binary embedded at build time.
std::string_view pauseBinary();

// The pause image: /pause as entrypoint, user 65535 as upstream's.
Result<ImageSpec> pauseImageSpec();
Result<OciArchive> pauseImageArchive();

// A busybox image from a static busybox binary and the output of its
// `busybox --list-full` (one applet path per line, e.g. "usr/bin/wget"):
// /bin/busybox, a symlink per applet, /etc/passwd and /etc/group (root,
// nobody), /tmp, /root, /var/www/index.html; Cmd ["sh"].
Result<ImageSpec> busyboxImageSpec(std::string busyboxBinary, std::string_view appletList,
                                   std::string reference = kBusyboxImage);

}  // namespace kcpp::kubelet::images
