#pragma once
// OCI image archives (an OCI image layout in one tar), written reproducibly, in
// the shape `ctr images import` reads: one layer, a config whose rootfs.diff_ids
// name the uncompressed layer, a manifest, `index.json` whose manifest entry
// carries the annotation io.containerd.image.name = the full reference, and
// `oci-layout`. Nothing depends on the clock: the same image gives the same bytes.

#include <string>
#include <vector>

#include "kubelet/images/tar.h"
#include "util/error.h"

namespace kcpp::kubelet::images {

// The runtime configuration of an image (the OCI config's "config" object).
struct ImageRuntimeConfig {
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> env;  // "NAME=value"
  std::string workingDir;
  std::string user;              // "65535:65535"; empty: root
  std::vector<std::string> exposedPorts;  // "80/tcp"
};

struct ImageSpec {
  std::string reference;  // full reference: "docker.io/kcpp/pause:3.9"
  TarTree rootfs;         // the single layer
  ImageRuntimeConfig config;
  // OCI platform; empty means the platform kcpp was built for.
  std::string os;
  std::string architecture;
};

// What was written, for callers that report or check it.
struct OciArchive {
  std::string bytes;           // the archive (an uncompressed tar)
  std::string manifestDigest;  // "sha256:..." (containerd's image target)
  std::string configDigest;    // the image ID CRI reports
  std::string layerDigest;     // the compressed layer blob
  std::string diffId;          // the uncompressed layer
};

// The GOARCH-style name of the architecture kcpp was compiled for ("amd64", "arm64").
std::string hostArchitecture();

// BadRequest for an invalid reference or a tree that does not fit a tar.
Result<OciArchive> buildOciArchive(const ImageSpec& spec);

// buildOciArchive written to `path` atomically (mode 0644).
Result<OciArchive> writeOciArchive(const ImageSpec& spec, const std::string& path);

}  // namespace kcpp::kubelet::images
