#pragma once
// Importing image archives (OCI layouts or `docker save` tars, plain or gzip-
// or zstd-compressed) into containerd's "k8s.io" namespace, where its CRI plugin sees
// them: for air-gapped nodes (`kcpp images import`), for kcpp's own pause image
// at kubelet start, and for every archive in <data-dir>/agent/images/ (as k3s).
//
// The work is done by containerd's own `ctr images import`, run as a child
// process against the given socket. Blocking: run it before the event loop or
// on a thread that may block.

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/error.h"

namespace kcpp::kubelet::images {

struct ImportOptions {
  std::string address;                        // containerd's socket (required)
  std::string ctrPath = "ctr";                // found in PATH unless it has a "/"
  std::string containerdNamespace = "k8s.io"; // the namespace CRI uses
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};
};

struct ImportedArchive {
  std::string source;               // the file, or "kcpp pause image"
  std::vector<std::string> images;  // references containerd now holds
  std::chrono::milliseconds took{0};
};

// Imports one archive file. Errors say what went wrong in words a user can act
// on: NotFound (no such file; ctr missing), BadRequest (not a tar, tar.gz or tar.zst;
// not an image archive, with ctr's reason), ServiceUnavailable (containerd
// not answering on the socket), Timeout.
Result<ImportedArchive> importArchive(const ImportOptions& options, const std::filesystem::path& file);

// Imports an archive held in memory (fed to ctr on stdin); `source` names it in
// messages.
Result<ImportedArchive> importArchiveBytes(const ImportOptions& options, std::string_view archive,
                                           const std::string& source);

// kcpp's own pause image (docker.io/kcpp/pause:3.9), written from the binary
// embedded in kcpp.
Result<ImportedArchive> importPauseImage(const ImportOptions& options);

struct StartupImport {
  std::vector<ImportedArchive> imported;
  std::vector<std::pair<std::string, Error>> failed;  // archive → why (logged; not fatal)
  std::vector<std::string> skipped;                   // files that are not archives by name
};

// What the kubelet does at start: the pause image (an error here is returned:
// no pod can start without it), then every *.tar, *.tar.gz, *.tgz, *.tar.zst
// and *.tzst in `imagesDir` in name order (a missing directory is fine; a failing archive is
// recorded and the rest still imported, as k3s does).
Result<StartupImport> importStartupImages(const ImportOptions& options, const std::filesystem::path& imagesDir);

// The image names `ctr images import` reports ("unpacking <name> (sha256:...)...done").
std::vector<std::string> importedImageNames(std::string_view ctrOutput);

}  // namespace kcpp::kubelet::images
