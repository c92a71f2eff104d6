#include "kubelet/images/image_import.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <utility>

#include "kubelet/images/builtin_images.h"
#include "kubelet/images/child_process.h"
#include "kubelet/images/compressed_file.h"
#include "kubelet/images/tar.h"

namespace kcpp::kubelet::images {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string socketPath(const std::string& address) {
  constexpr std::string_view kScheme = "unix://";
  if (address.starts_with(kScheme)) return address.substr(kScheme.size());
  return address;
}

// A clear error before ctr's own: is anything listening on the socket?
Result<void> checkContainerd(const std::string& address) {
  std::string path = socketPath(address);
  if (path.empty()) return makeError(Reason::BadRequest, "no containerd address given");
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.size() >= sizeof sa.sun_path) return makeError(Reason::BadRequest, "containerd socket path too long: " + path);
  std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return makeError(Reason::InternalError, std::string("socket: ") + std::strerror(errno));
  int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  int err = errno;
  ::close(fd);
  if (rc == 0) return {};
  return makeError(Reason::ServiceUnavailable,
                   "containerd is not answering at " + path + ": " + std::strerror(err) + " (is it running?)");
}

// Reads the first block to tell a tar from a compressed file, so that a wrong
// file gets a plain message instead of one from deep inside ctr. None: a tar.
Result<Compression> sniffArchive(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return makeError(Reason::NotFound, "image archive " + file.string() + " does not exist");
  if (!fs::is_regular_file(file, ec)) {
    return makeError(Reason::BadRequest, "image archive " + file.string() + " is not a regular file");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return makeError(Reason::Forbidden, "cannot read image archive " + file.string());
  std::string head(512, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  Compression compression = detectCompression(head);
  if (compression != Compression::None) return compression;
  if (looksLikeTarHeader(head)) return Compression::None;
  return makeError(Reason::BadRequest,
                   file.string() + " is not an image archive (neither a tar nor a gzip- or zstd-compressed tar file)");
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

// Runs `ctr images import <what>` and turns its outcome into a Result.
Result<ImportedArchive> runCtrImport(const ImportOptions& o, const std::string& what, InputSource input,
                                     const std::string& source) {
  if (auto r = checkContainerd(o.address); !r) return std::move(r).error();
  auto start = Clock::now();
  std::vector<std::string> argv = {o.ctrPath, "--address", socketPath(o.address), "--namespace",
                                   o.containerdNamespace, "images", "import", what};
  auto outcome = runProcessWithInput(argv, std::move(input), o.timeout);
  if (!outcome) {
    Error e = std::move(outcome).error();
    e.message = "importing " + source + ": " + e.message;
    return e;
  }
  if (outcome->timedOut) {
    return makeError(Reason::Timeout, "importing " + source + ": ctr did not finish within " +
                                          std::to_string(o.timeout.count() / 1000) + "s");
  }
  if (!outcome->succeeded()) {
    std::string why = trimmed(outcome->err.empty() ? outcome->out : outcome->err);
    if (why.empty()) why = "ctr exited with status " + std::to_string(outcome->exitCode);
    bool down = why.find("connection refused") != std::string::npos || why.find("failed to dial") != std::string::npos;
    return makeError(down ? Reason::ServiceUnavailable : Reason::BadRequest, "importing " + source + ": " + why);
  }
  ImportedArchive done;
  done.source = source;
  done.images = importedImageNames(outcome->out);
  done.took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  return done;
}

InputSource noInput() {
  return [] { return Result<std::string>(std::string()); };
}

// All of `bytes` at once (it outlives the import).
InputSource bytesInput(std::string_view bytes) {
  return [bytes, given = false]() mutable -> Result<std::string> {
    if (std::exchange(given, true)) return std::string();
    return std::string(bytes);
  };
}

// A compressed archive, decompressed as ctr reads it: `first` (already
// checked to start with a tar header), then the rest of the stream.
InputSource decompressedInput(std::shared_ptr<DecompressingReader> stream, std::string first) {
  return [stream = std::move(stream), first = std::move(first)]() mutable -> Result<std::string> {
    if (!first.empty()) return std::exchange(first, std::string());
    return stream->read();
  };
}

bool isArchiveName(const std::string& name) {
  for (std::string_view suffix : {".tar", ".tar.gz", ".tgz", ".tar.zst", ".tzst"}) {
    if (name.size() > suffix.size() && name.ends_with(suffix)) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> importedImageNames(std::string_view out) {
  std::vector<std::string> names;
  constexpr std::string_view kPrefix = "unpacking ";
  while (!out.empty()) {
    std::size_t nl = out.find('\n');
    std::string_view line = out.substr(0, nl);
    out.remove_prefix(nl == std::string_view::npos ? out.size() : nl + 1);
    if (!line.starts_with(kPrefix)) continue;
    line.remove_prefix(kPrefix.size());
    std::size_t end = line.find(' ');
    names.emplace_back(line.substr(0, end));
  }
  return names;
}

Result<ImportedArchive> importArchive(const ImportOptions& options, const fs::path& file) {
  auto compression = sniffArchive(file);
  if (!compression) return std::move(compression).error();
  if (*compression == Compression::None) return runCtrImport(options, file.string(), noInput(), file.string());
  // ctr 1.6 reads only plain tar: decompress here, feeding its stdin.
  auto opened = openDecompressing(file, *compression);
  if (!opened) return std::move(opened).error();
  std::shared_ptr<DecompressingReader> stream = std::move(*opened);
  auto first = stream->read();
  if (!first) return std::move(first).error();
  if (!looksLikeTarHeader(*first)) {
    return makeError(Reason::BadRequest, file.string() + " is not an image archive (it does not decompress to a tar file)");
  }
  return runCtrImport(options, "-", decompressedInput(std::move(stream), std::move(*first)), file.string());
}

Result<ImportedArchive> importArchiveBytes(const ImportOptions& options, std::string_view archive,
                                           const std::string& source) {
  if (!looksLikeTarHeader(archive)) {
    return makeError(Reason::BadRequest, source + " is not an image archive (not a tar stream)");
  }
  return runCtrImport(options, "-", bytesInput(archive), source);
}

Result<ImportedArchive> importPauseImage(const ImportOptions& options) {
  auto archive = pauseImageArchive();
  if (!archive) return std::move(archive).error();
  return importArchiveBytes(options, archive->bytes, "kcpp pause image");
}

Result<StartupImport> importStartupImages(const ImportOptions& options, const fs::path& imagesDir) {
  StartupImport report;
  auto pause = importPauseImage(options);
  if (!pause) return std::move(pause).error();
  report.imported.push_back(std::move(*pause));

  std::error_code ec;
  if (!fs::is_directory(imagesDir, ec)) return report;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(imagesDir, ec)) {
    if (entry.is_regular_file(ec)) files.push_back(entry.path());
  }
  if (ec) return makeError(Reason::InternalError, "listing " + imagesDir.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    if (!isArchiveName(file.filename().string())) {
      report.skipped.push_back(file.string());
      continue;
    }
    auto imported = importArchive(options, file);
    if (!imported) {
      report.failed.emplace_back(file.string(), std::move(imported).error());
      continue;
    }
    report.imported.push_back(std::move(*imported));
  }
  return report;
}

}  // namespace kcpp::kubelet::images
